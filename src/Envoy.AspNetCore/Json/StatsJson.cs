namespace Envoy.AspNetCore.Json;

/// <summary>
/// The answer of <c>GET /stats</c>: <c>{ counts: { pending, running, blocking, done, failed, cancelled }, total, oldestPendingAt,
/// countedAt }</c> (from <see cref="Scheduler.GetJobStatsAsync"/>).
/// </summary>
/// <param name="Counts">How many jobs are in each status, as counted at <paramref name="CountedAt"/> (may lag a second or two).</param>
/// <param name="Total">All jobs.</param>
/// <param name="OldestPendingAt">When the due pending job that has waited longest became due; null when none is due.</param>
/// <param name="CountedAt">When the counts were read from the store.</param>
public sealed record StatsJson(JobCountsJson Counts, long Total, DateTime? OldestPendingAt, DateTime CountedAt)
{
    /// <summary>The API form of <paramref name="stats"/>.</summary>
    public static StatsJson From(JobStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var counts = JobCountsJson.From(stats.Counts);
        return new StatsJson(counts, counts.Sum(), stats.OldestPendingAt?.UtcDateTime, stats.CountedAt.UtcDateTime);
    }
}

/// <summary>How many jobs are in each status.</summary>
/// <param name="Pending">Waiting to run (due or delayed).</param>
/// <param name="Running">Claimed by a worker.</param>
/// <param name="Blocking">Waiting for a child, an external event or a human.</param>
/// <param name="Done">Finished.</param>
/// <param name="Failed">Failed for good.</param>
/// <param name="Cancelled">Cancelled.</param>
public sealed record JobCountsJson(long Pending, long Running, long Blocking, long Done, long Failed, long Cancelled)
{
    /// <summary>The counts of the scheduler's <c>GetJobCountsAsync</c> (a missing status counts zero).</summary>
    public static JobCountsJson From(IReadOnlyDictionary<JobStatus, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        long Of(JobStatus status) => counts.TryGetValue(status, out var n) ? n : 0;
        return new JobCountsJson(Of(JobStatus.Pending), Of(JobStatus.Running), Of(JobStatus.Blocking), Of(JobStatus.Done), Of(JobStatus.Failed), Of(JobStatus.Cancelled));
    }

    /// <summary>The sum of every count.</summary>
    public long Sum() => Pending + Running + Blocking + Done + Failed + Cancelled;
}
