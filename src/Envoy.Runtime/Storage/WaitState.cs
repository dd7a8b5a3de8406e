namespace Envoy.Runtime.Storage;

/// <summary>A wait's resolution status and type, as <see cref="IJobTransaction.LockJobWaitAsync"/> read them.</summary>
/// <param name="Status">Pending, or how it resolved.</param>
/// <param name="Type">Its type (<see cref="WaitTypes"/>).</param>
public sealed record WaitState(WaitResolutionKind Status, string Type)
{
    /// <summary>When the wait has a timer: the time it fires (<see cref="NewWait.DueAtMs"/>); null for none.</summary>
    public long? DueAtMs { get; init; }
}
