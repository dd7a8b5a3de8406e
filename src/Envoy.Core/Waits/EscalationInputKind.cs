namespace Envoy;

/// <summary>The kinds of field a human fills in when answering an escalation.</summary>
public enum EscalationInputKind
{
    /// <summary>A choice among <see cref="EscalationInput.Options"/>.</summary>
    Select,

    /// <summary>Free text.</summary>
    Comment,

    /// <summary>Approve or reject.</summary>
    Approve,
}
