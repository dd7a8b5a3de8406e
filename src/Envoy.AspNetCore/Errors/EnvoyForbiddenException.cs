namespace Envoy.AspNetCore.Errors;

/// <summary>The caller may not do this (its role, or it is not the escalation's user); answered <c>403</c> <c>forbidden</c>.</summary>
public sealed class EnvoyForbiddenException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public EnvoyForbiddenException()
        : base("The caller may not do this.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public EnvoyForbiddenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public EnvoyForbiddenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
