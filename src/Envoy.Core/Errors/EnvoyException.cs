namespace Envoy;

/// <summary>The base of every error Envoy raises on purpose; catch it to handle any Envoy failure.</summary>
public class EnvoyException : Exception
{
    /// <summary>Creates an error with no message.</summary>
    public EnvoyException()
    {
    }

    /// <summary>Creates an error with a message.</summary>
    public EnvoyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and the error that caused it.</summary>
    public EnvoyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
