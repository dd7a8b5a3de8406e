namespace Envoy;

/// <summary>Where an escalation stands. Stored as its number: a member keeps its number, a new one takes the next.</summary>
public enum EscalationStatus
{
    /// <summary>Not answered yet.</summary>
    Pending = 0,

    /// <summary>Approved: the wait resolved with success and the reply's values.</summary>
    Approved = 1,

    /// <summary>Rejected: the wait resolved with an error carrying the reply's values.</summary>
    Rejected = 2,

    /// <summary>Its job ended (cancelled or failed) before a reply; a retry of the job makes it pending again.</summary>
    Cancelled = 3,

    /// <summary>Its timeout passed before a reply; a retry of the job makes it pending again.</summary>
    Expired = 4,
}
