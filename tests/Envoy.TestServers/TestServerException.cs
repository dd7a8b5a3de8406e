namespace Envoy.TestServers;

/// <summary>
/// A test server could not be found, started, stopped or reached. The message says what to do (for example which
/// package to install) and carries the tail of the server's own output, which usually names the cause.
/// </summary>
public sealed class TestServerException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public TestServerException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public TestServerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public TestServerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
