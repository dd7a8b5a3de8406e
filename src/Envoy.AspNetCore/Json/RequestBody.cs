using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Json;

/// <summary>
/// Reads a request's JSON body with a source-generated contract. Malformed JSON, a wrong type and a missing body become
/// <see cref="InvalidRequestBodyException"/> naming the field (<c>400</c> <c>invalid_body</c>); a body over the size limit fails
/// the read (<c>413</c>).
/// </summary>
public static class RequestBody
{
    /// <summary>Reads the body as <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidRequestBodyException">The body is missing, malformed, or has a field of a wrong type.</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> contract, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(contract);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (IsBlank(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            throw new InvalidRequestBodyException(string.Empty, "The request needs a JSON object body.");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), contract)
                ?? throw new InvalidRequestBodyException(string.Empty, "The request needs a JSON object body, not null.");
        }
        catch (JsonException e)
        {
            var field = FieldOf(e.Path);
            throw new InvalidRequestBodyException(
                field,
                field.Length == 0
                    ? $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine})."
                    : $"Field '{field}' has a wrong type or value (line {e.LineNumber + 1}, byte {e.BytePositionInLine}).");
        }
    }

    /// <summary>A JSON path such as <c>$.values.note</c> or <c>$['a b']</c> as a field name (<c>values.note</c>).</summary>
    public static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Replace("['", ".", StringComparison.Ordinal).Replace("']", string.Empty, StringComparison.Ordinal).TrimStart('.');
    }

    private static bool IsBlank(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).IsEmpty;
}
