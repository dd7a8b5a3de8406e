using System.Globalization;

namespace Envoy;

/// <summary>
/// A model call failed: the endpoint refused it (<see cref="StatusCode"/>, with the endpoint's <see cref="Type"/> and
/// <see cref="Code"/>), it timed out, the connection failed, or a JSON-mode reply was not JSON. Transient failures
/// (429, 5xx, timeouts, broken connections) are retried by the provider before this is thrown.
/// </summary>
public class LlmException : EnvoyException
{
    /// <summary>Creates an error with no details.</summary>
    public LlmException()
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public LlmException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public LlmException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an error with its type, code and HTTP status.</summary>
    public LlmException(string message, string? type, string? code, int? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        Type = type;
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>The error type: the endpoint's (<c>rate_limit_error</c>...) or one of <see cref="LlmErrorTypes"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1721:Property names should not match get methods", Justification = "The endpoint's error type; the public API name.")]
    public string? Type { get; }

    /// <summary>The endpoint's error code (<c>rate_limit_exceeded</c>, <c>invalid_api_key</c>...), when it sent one.</summary>
    public string? Code { get; }

    /// <summary>The HTTP status, when the endpoint answered.</summary>
    public int? StatusCode { get; }

    /// <summary>How long the endpoint asked to wait before trying again (<c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True for failures worth retrying: 408, 409, 429, 5xx, timeouts and broken connections.</summary>
    public bool IsTransient =>
        StatusCode is 408 or 409 or 429 or >= 500
        || string.Equals(Type, LlmErrorTypes.Timeout, StringComparison.Ordinal)
        || string.Equals(Type, LlmErrorTypes.Connection, StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{base.ToString()} (type: {Type ?? "-"}, code: {Code ?? "-"}, status: {StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"})");
}
