namespace Envoy;

/// <summary>The escalation was already answered; the second reply changed nothing.</summary>
public class EscalationAlreadyAnsweredException : EnvoyException
{
    /// <summary>Creates the error with no details.</summary>
    public EscalationAlreadyAnsweredException()
        : this(string.Empty, EscalationStatus.Approved)
    {
    }

    /// <summary>Creates the error for an escalation and its status.</summary>
    public EscalationAlreadyAnsweredException(string escalationId, EscalationStatus status)
        : base($"Escalation '{escalationId}' was already answered ({status.ToString().ToLowerInvariant()}).")
    {
        EscalationId = escalationId;
        Status = status;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public EscalationAlreadyAnsweredException(string message, Exception? innerException)
        : base(message, innerException)
    {
        EscalationId = string.Empty;
    }

    /// <summary>The escalation.</summary>
    public string EscalationId { get; }

    /// <summary>How it was answered.</summary>
    public EscalationStatus Status { get; }
}
