using System.Text.Json;
using System.Text.Json.Serialization;

namespace Envoy;

/// <summary>
/// The one set of JSON options every typed accessor uses: web defaults (camelCase, case-insensitive reads)
/// and enums as camelCase strings, so records round-trip between states, jobs and processes.
/// </summary>
public static class EnvoyJson
{
    /// <summary>The shared, read-only serializer options.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
