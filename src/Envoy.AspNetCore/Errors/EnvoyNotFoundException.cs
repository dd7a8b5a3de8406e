namespace Envoy.AspNetCore.Errors;

/// <summary>
/// An API resource that does not exist, with its problem <see cref="Code"/> (for example <c>flow_not_found</c> for
/// <c>GET /flows/{name}</c>); answered <c>404</c>. Envoy's own not-found errors (jobs, waits, escalations) keep their types.
/// </summary>
public sealed class EnvoyNotFoundException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public EnvoyNotFoundException()
        : this("not_found", "The resource does not exist.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public EnvoyNotFoundException(string message)
        : this("not_found", message)
    {
    }

    /// <summary>Creates the error with the problem code and a message naming the resource.</summary>
    public EnvoyNotFoundException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public EnvoyNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = "not_found";
    }

    /// <summary>The problem <c>code</c> (<see cref="EnvoyProblemCodes"/>).</summary>
    public string Code { get; }
}
