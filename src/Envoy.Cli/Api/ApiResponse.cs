using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Envoy.Cli.Api;

/// <summary>A successful answer of the API: its body as sent (what <c>--json</c> prints) and its status.</summary>
/// <param name="Status">The HTTP status (200, 201).</param>
/// <param name="Body">The body's text, unchanged.</param>
internal sealed record ApiResponse(int Status, string Body)
{
    /// <summary>Reads the body as <typeparamref name="T"/>.</summary>
    /// <exception cref="CliException">The body is not the JSON expected (exit code 7: the server's fault).</exception>
    public T Read<T>(JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(Body, type) ?? throw new JsonException("The body is null.");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.ServerError, $"The server's answer is not the JSON expected: {ex.Message}", ex);
        }
    }
}
