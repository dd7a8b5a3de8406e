namespace Envoy;

/// <summary>
/// A reply's value does not fit the escalation's declared inputs (an unknown input id, a <c>select</c> value outside its options,
/// a non-boolean <c>approve</c> value); nothing changed.
/// </summary>
public class InvalidEscalationReplyException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public InvalidEscalationReplyException()
        : this(string.Empty, string.Empty, "The reply does not fit the escalation's inputs.")
    {
    }

    /// <summary>Creates the error with a message.</summary>
    public InvalidEscalationReplyException(string message)
        : this(string.Empty, string.Empty, message)
    {
    }

    /// <summary>Creates the error for one input of an escalation.</summary>
    public InvalidEscalationReplyException(string escalationId, string inputId, string message)
        : base(message)
    {
        EscalationId = escalationId;
        InputId = inputId;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public InvalidEscalationReplyException(string message, Exception? innerException)
        : base(message, innerException)
    {
        EscalationId = string.Empty;
        InputId = string.Empty;
    }

    /// <summary>The escalation.</summary>
    public string EscalationId { get; }

    /// <summary>The input id the bad value was given for.</summary>
    public string InputId { get; }
}
