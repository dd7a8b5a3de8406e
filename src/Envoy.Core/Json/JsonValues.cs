using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>Converts between CLR values and JSON nodes with <see cref="EnvoyJson.Options"/>, with fast paths for primitives.</summary>
public static class JsonValues
{
    /// <summary>
    /// Turns any value into a detached JSON node that nothing else references: a JSON node is always copied, so that
    /// <c>ctx.Set("snapshot", ctx.Output())</c> or <c>ctx.Output(ctx.Input())</c> never alias the context's own values.
    /// </summary>
    /// <exception cref="ContextValueException">The value cannot be written as JSON.</exception>
    public static JsonNode? ToNode(object? value, string path = "value")
    {
        switch (value)
        {
            case null:
                return null;
            case JsonNode node:
                return node.DeepClone();
            case string s:
                return JsonValue.Create(s);
            case int i:
                return JsonValue.Create(i);
            case long l:
                return JsonValue.Create(l);
            case double d:
                return JsonValue.Create(d);
            case bool b:
                return JsonValue.Create(b);
            case JsonElement element:
                return element.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(element.GetRawText());
            default:
                try
                {
                    return JsonSerializer.SerializeToNode(value, value.GetType(), EnvoyJson.Options);
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
                {
                    throw new ContextValueException(path, $"The value for '{path}' ({value.GetType().Name}) cannot be written as JSON: {ex.Message}", ex);
                }
        }
    }

    /// <summary>Reads a JSON node as <typeparamref name="T"/>; a missing node gives <c>default</c>.</summary>
    /// <exception cref="ContextValueException">The node does not hold a <typeparamref name="T"/>.</exception>
    public static T? FromNode<T>(JsonNode? node, string path = "value")
    {
        if (node is null)
        {
            return default;
        }

        if (node is T same)
        {
            return same;
        }

        if (node is JsonValue value && value.TryGetValue(out T? direct))
        {
            return direct;
        }

        try
        {
            return node.Deserialize<T>(EnvoyJson.Options);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new ContextValueException(path, $"The value at '{path}' is {Describe(node)} and cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    internal static string Describe(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
