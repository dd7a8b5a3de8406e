namespace Envoy.Runtime.Storage;

/// <summary>A wait registered by a step.</summary>
public sealed record NewWait(string WaitId, string Type)
{
    /// <summary>
    /// When the wait has a timer (a <see cref="WaitTypes.Timer"/> wait, or a wait with a timeout): the time it fires, stored with
    /// the wait; null for none. See <see cref="IJobCoordinationStore.ResolveDueTimersAsync(long, int, CancellationToken)"/>.
    /// </summary>
    public long? DueAtMs { get; init; }
}
