using System.Text.Json.Nodes;

namespace Envoy.Testing;

/// <summary>A request the <see cref="FakeLlmServer"/> received.</summary>
public sealed class FakeLlmRequest
{
    internal FakeLlmRequest(int number, string path, string? authorization, JsonObject body)
    {
        Number = number;
        Path = path;
        Authorization = authorization;
        Body = body;
    }

    /// <summary>1 for the first request the server received, and so on.</summary>
    public int Number { get; }

    /// <summary>The request path, such as <c>/v1/chat/completions</c>.</summary>
    public string Path { get; }

    /// <summary>The <c>Authorization</c> header, such as <c>Bearer sk-...</c>.</summary>
    public string? Authorization { get; }

    /// <summary>The whole JSON body.</summary>
    public JsonObject Body { get; }

    /// <summary>The requested model.</summary>
    public string? Model => (Body["model"] as JsonValue)?.TryGetValue(out string? model) == true ? model : null;

    /// <summary>True when the client asked for a stream.</summary>
    public bool Stream => (Body["stream"] as JsonValue)?.TryGetValue(out bool stream) == true && stream;

    /// <summary>The messages sent.</summary>
    public IReadOnlyList<JsonObject> Messages => Body["messages"] is JsonArray messages ? [.. messages.OfType<JsonObject>()] : [];

    /// <summary>The names of the tools (functions) offered.</summary>
    public IReadOnlyList<string> ToolNames => Body["tools"] is JsonArray tools
        ? [.. tools.Select(t => (t?["function"]?["name"] as JsonValue)?.GetValue<string>() ?? string.Empty)]
        : [];

    /// <summary>The <c>response_format.type</c> (<c>json_object</c> in JSON mode), or <c>null</c>.</summary>
    public string? ResponseFormat => (Body["response_format"]?["type"] as JsonValue)?.TryGetValue(out string? type) == true ? type : null;

    /// <summary>The text of the last message with this role, or <c>null</c>.</summary>
    public string? LastMessageText(string role) =>
        Messages.LastOrDefault(m => string.Equals((m["role"] as JsonValue)?.GetValue<string>(), role, StringComparison.Ordinal)) is { } message ? TextOf(message) : null;

    /// <summary>The messages with role <c>tool</c>, as (call id, content) pairs in order.</summary>
    public IReadOnlyList<(string CallId, string Content)> ToolResults =>
        [.. Messages.Where(m => string.Equals((m["role"] as JsonValue)?.GetValue<string>(), "tool", StringComparison.Ordinal))
            .Select(m => ((m["tool_call_id"] as JsonValue)?.GetValue<string>() ?? string.Empty, TextOf(m)))];

    /// <inheritdoc />
    public override string ToString() => Body.ToJsonString();

    private static string TextOf(JsonObject message) => message["content"] switch
    {
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonArray parts => string.Concat(parts.Select(p => (p?["text"] as JsonValue)?.TryGetValue(out string? t) == true ? t : string.Empty)),
        _ => string.Empty,
    };
}
