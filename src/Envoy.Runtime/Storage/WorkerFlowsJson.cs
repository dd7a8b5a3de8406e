using System.Text.Json;

namespace Envoy.Runtime.Storage;

/// <summary>
/// How a worker's (flow, version) pairs are stored in its row (<see cref="WorkerRow.Flows"/>): a JSON array of
/// <c>{"name": ..., "version": ...}</c>, the same for every store.
/// </summary>
public static class WorkerFlowsJson
{
    /// <summary>The pairs as JSON.</summary>
    public static string Encode(IReadOnlyList<FlowVersion> flows)
    {
        ArgumentNullException.ThrowIfNull(flows);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var pair in flows)
            {
                writer.WriteStartObject();
                writer.WriteString("name", pair.Flow);
                writer.WriteString("version", pair.Version);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The pairs stored as <paramref name="json"/> (<see cref="Encode"/>); an empty list for null or empty text.</summary>
    public static IReadOnlyList<FlowVersion> Decode(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var flows = new List<FlowVersion>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            flows.Add(new FlowVersion(item.GetProperty("name").GetString() ?? string.Empty, item.GetProperty("version").GetString() ?? string.Empty));
        }

        return flows;
    }
}
