namespace Envoy.Runtime.Storage;

/// <summary>What one firing of due timers did (<see cref="IJobCoordinationStore.ResolveDueTimersAsync(long, int, ClaimRequest?, CancellationToken)"/>).</summary>
/// <param name="Taken">How many due timers it took (as the count the store returns without a start request).</param>
/// <param name="Started">
/// The jobs it made running, leased to the requester, in the firing's transaction (with their wait resolutions attached, as a
/// claim returns them): the requester must run them.
/// </param>
public sealed record FiredTimers(int Taken, IReadOnlyList<JobRecord> Started);
