namespace Envoy.Runtime.Coordination;

/// <summary>
/// One holder at a time among the schedulers sharing a store: who runs maintenance (lease-expiry sweeps, delayed-job
/// promotion). Held for a time-to-live and renewed by calling <see cref="TryHoldAsync"/> again; a holder that stops renewing
/// (a killed process) loses it when the time runs out.
/// </summary>
public interface ILeaderLock : IAsyncDisposable
{
    /// <summary>What holds the lock (for logs): for example <c>redis</c> or <c>postgres advisory lock</c>.</summary>
    string Description { get; }

    /// <summary>Takes the lock, or keeps it when already held, for <paramref name="timeToLive"/>.</summary>
    /// <returns>True when this holder leads now; false when another does or the lock cannot be reached.</returns>
    Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Gives the lock up if held (another holder may take it at once).</summary>
    Task ReleaseAsync(CancellationToken cancellationToken = default);
}
