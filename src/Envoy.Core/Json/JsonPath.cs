using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>Dotted paths (<c>a.b.c</c>) into JSON objects, creating objects on the way when writing.</summary>
internal static class JsonPath
{
    public static JsonNode? Get(JsonObject root, string path)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            return root.TryGetPropertyValue(path, out var direct) ? direct : null;
        }

        JsonNode? current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            root[path] = value;
            return;
        }

        var segments = path.Split('.');
        var current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (current[segments[i]] is not JsonObject next)
            {
                next = new JsonObject();
                current[segments[i]] = next;
            }

            current = next;
        }

        current[segments[^1]] = value;
    }

    public static bool Remove(JsonObject root, string path)
    {
        var dot = path.LastIndexOf('.');
        if (dot < 0)
        {
            return root.Remove(path);
        }

        return Get(root, path[..dot]) is JsonObject parent && parent.Remove(path[(dot + 1)..]);
    }

    public static void Validate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.StartsWith('.') || path.EndsWith('.') || path.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{path}' is not a valid dotted path.", nameof(path));
        }
    }
}
