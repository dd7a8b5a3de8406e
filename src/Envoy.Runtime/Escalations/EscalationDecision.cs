namespace Envoy;

/// <summary>A human's answer to an escalation.</summary>
public enum EscalationDecision
{
    /// <summary>Continue: the wait resolves with success.</summary>
    Approved,

    /// <summary>Refuse: the wait resolves with an error.</summary>
    Rejected,
}
