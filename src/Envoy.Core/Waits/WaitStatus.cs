namespace Envoy;

/// <summary>Where a wait stands.</summary>
public enum WaitStatus
{
    /// <summary>Not answered yet; the step is blocked on it.</summary>
    Pending,

    /// <summary>Resolved with an output.</summary>
    Success,

    /// <summary>Rejected with an error (a failed or cancelled child, a rejected escalation).</summary>
    Error,
}
