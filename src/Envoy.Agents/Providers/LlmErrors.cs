using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>Turns the errors of the HTTP clients underneath into <see cref="LlmException"/>s with type, code and status.</summary>
internal static class LlmErrors
{
    /// <summary>
    /// Translates <paramref name="error"/>; false for errors that are not the endpoint's (programmer errors) and for a
    /// cancellation through <paramref name="token"/> (the caller's or the attempt timeout's: those are handled above).
    /// </summary>
    public static bool TryTranslate(Exception error, CancellationToken token, out LlmException translated)
    {
        switch (error)
        {
            case LlmException llm:
                translated = llm;
                return true;
            case OperationCanceledException when token.IsCancellationRequested:
                translated = null!;
                return false;
            case OperationCanceledException canceled:
                translated = new LlmException("The model call timed out in the HTTP client: " + canceled.Message, LlmErrorTypes.Timeout, null, null, canceled);
                return true;
            case ClientResultException result:
                translated = FromResponse(result.Status, result.GetRawResponse(), result.Message, result);
                return true;
            case HttpRequestException http:
                translated = http.StatusCode is { } status
                    ? new LlmException($"The endpoint returned HTTP {(int)status}: {http.Message}", LlmErrorTypes.Http, null, (int)status, http)
                    : new LlmException("The endpoint could not be reached: " + http.Message, LlmErrorTypes.Connection, null, null, http);
                return true;
            case JsonException json:
                translated = new LlmException("The endpoint's answer is not a valid chat completion: " + json.Message, LlmErrorTypes.InvalidResponse, null, null, json);
                return true;
            default:
                translated = null!;
                return false;
        }
    }

    public static LlmException Timeout(TimeSpan timeout, int attempts, Exception inner) =>
        new(
            string.Create(CultureInfo.InvariantCulture, $"The model call timed out after {timeout.TotalSeconds:0.###} s on each of {attempts} attempt(s)."),
            LlmErrorTypes.Timeout,
            null,
            null,
            inner);

    private static LlmException FromResponse(int status, PipelineResponse? response, string fallbackMessage, Exception inner)
    {
        if (status == 0)
        {
            return new LlmException("The endpoint could not be reached: " + (inner.InnerException?.Message ?? fallbackMessage), LlmErrorTypes.Connection, null, null, inner);
        }

        string? type = null, code = null, message = null;
        try
        {
            if (response?.Content is { } content && JsonNode.Parse(content.ToString()) is JsonObject body)
            {
                var error = body["error"] as JsonObject;
                type = Text(error?["type"]);
                code = Text(error?["code"]);
                message = Text(error?["message"]);
            }
        }
        catch (JsonException)
        {
            // The body is not an OpenAI error object; the status alone describes the failure.
        }
        catch (InvalidOperationException)
        {
            // Same: a body that cannot be read (a streamed or disposed response).
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"The endpoint returned HTTP {status}{(type is null ? string.Empty : " (" + type + ")")}: {message ?? fallbackMessage}");
        return new LlmException(text, type ?? LlmErrorTypes.Http, code, status, inner) { RetryAfter = RetryAfter(response) };
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue(out string? s) => s,
        _ => node.ToJsonString(),
    };

    private static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (response.Headers.TryGetValue("Retry-After", out var seconds) && double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs >= 0)
        {
            return TimeSpan.FromSeconds(secs);
        }

        return null;
    }
}
