using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Storage;

/// <summary>
/// A store that can say cheaply whether it answers right now (for health checks): one round trip, no retry, no schema work.
/// <see cref="Scheduler.CheckStoreHealthAsync"/> uses it, bounded by a timeout.
/// </summary>
public interface IStoreHealthProbe
{
    /// <summary>The coordination server next to the store (Redis), or null when the store has none.</summary>
    ICoordinationProbe? Coordination { get; }

    /// <summary>
    /// One cheap round trip to the store (<c>SELECT 1</c>) without the transient-failure retries of ordinary operations: it
    /// completes when the store answered and throws when it did not. It honours <paramref name="cancellationToken"/>.
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken = default);
}
