namespace Envoy;

/// <summary>No escalation has this id.</summary>
public class EscalationNotFoundException : EnvoyException
{
    /// <summary>Creates the error with no id.</summary>
    public EscalationNotFoundException()
        : this(string.Empty)
    {
    }

    /// <summary>Creates the error for an escalation id.</summary>
    public EscalationNotFoundException(string escalationId)
        : base($"Escalation '{escalationId}' was not found.")
    {
        EscalationId = escalationId;
    }

    /// <summary>Creates the error with a message and a cause.</summary>
    public EscalationNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
        EscalationId = string.Empty;
    }

    /// <summary>The unknown escalation id.</summary>
    public string EscalationId { get; }
}
