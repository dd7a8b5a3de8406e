namespace Envoy;

/// <summary>A flow is built wrongly: a duplicate or dangling state, an unknown start state, a plugin cycle... The message names the offender.</summary>
public class StateFlowValidationException : EnvoyException
{
    /// <summary>Creates an error with no message.</summary>
    public StateFlowValidationException()
    {
    }

    /// <summary>Creates an error with a message naming the offender.</summary>
    public StateFlowValidationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and a cause.</summary>
    public StateFlowValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
