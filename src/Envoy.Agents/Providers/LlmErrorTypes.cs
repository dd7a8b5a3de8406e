namespace Envoy;

/// <summary>
/// The <see cref="LlmException.Type"/> values Envoy sets itself. Errors reported by the endpoint keep the endpoint's own
/// type (for OpenAI: <c>invalid_request_error</c>, <c>rate_limit_error</c>, <c>server_error</c>...).
/// </summary>
public static class LlmErrorTypes
{
    /// <summary>A JSON-mode reply (or a JSON plan) was not valid JSON.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>A call took longer than <see cref="LlmConfig.Timeout"/> (on every attempt).</summary>
    public const string Timeout = "timeout";

    /// <summary>The endpoint could not be reached, or the connection broke.</summary>
    public const string Connection = "connection_error";

    /// <summary>The endpoint answered with something that is not a chat completion.</summary>
    public const string InvalidResponse = "invalid_response";

    /// <summary>The endpoint returned an HTTP error without a typed error body.</summary>
    public const string Http = "http_error";
}
