namespace Envoy;

/// <summary>
/// What a dashboard's overview shows, as <c>Scheduler.GetJobStatsAsync</c> returns it.
/// </summary>
/// <param name="Counts">
/// How many jobs are in each status (every status present, zeros included), as counted at <paramref name="CountedAt"/>: counts
/// are refreshed in the background and may lag the store by a second or two (more on a large store, see
/// <c>GetJobStatsAsync</c>).
/// </param>
/// <param name="OldestPendingAt">
/// When the pending job that has waited longest became due (its run-at), read from the store on each call; null when no
/// pending job is due. Now minus this is how far behind the workers are.
/// </param>
/// <param name="CountedAt">When <paramref name="Counts"/> were read from the store.</param>
public sealed record JobStats(IReadOnlyDictionary<JobStatus, long> Counts, DateTimeOffset? OldestPendingAt, DateTimeOffset CountedAt);
