namespace Envoy.Runtime.Storage;

/// <summary>How a wait row was resolved.</summary>
public enum WaitResolutionKind
{
    /// <summary>Not yet.</summary>
    Pending = 0,

    /// <summary>With a success value.</summary>
    Success = 1,

    /// <summary>With an error.</summary>
    Error = 2,

    /// <summary>The child behind it was cancelled.</summary>
    Cancelled = 3,
}
