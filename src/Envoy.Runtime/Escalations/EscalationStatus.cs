namespace Envoy;

/// <summary>Where an escalation stands.</summary>
public enum EscalationStatus
{
    /// <summary>Not answered yet.</summary>
    Pending,

    /// <summary>Approved: the wait resolved with success and the reply's values.</summary>
    Approved,

    /// <summary>Rejected: the wait resolved with an error carrying the reply's values.</summary>
    Rejected,

    /// <summary>Its job ended (cancelled or failed) before a reply; a retry of the job makes it pending again.</summary>
    Cancelled,

    /// <summary>Its timeout passed before a reply; a retry of the job makes it pending again.</summary>
    Expired,
}
