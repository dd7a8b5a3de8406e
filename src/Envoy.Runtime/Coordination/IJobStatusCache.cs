namespace Envoy.Runtime.Coordination;

/// <summary>A job's status as last written to a <see cref="IJobStatusCache"/>.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">Its status.</param>
/// <param name="Version">The job's version with that status: a write with a lower version than the cached one is ignored.</param>
public readonly record struct CachedJobStatus(string JobId, JobStatus Status, long Version);

/// <summary>
/// A fast, shared copy of job statuses and status counts (Redis), written through after the store's transactions commit by
/// the <see cref="StatusCachedJobStore"/> in front of the store.
/// It may lag the store or miss entries, and is never used for decisions: it serves status reads and dashboard counters.
/// Every method is best effort and never throws for an unreachable cache.
/// </summary>
public interface IJobStatusCache
{
    /// <summary>Records statuses (each only if its version is not older than the cached one).</summary>
    void Put(IReadOnlyList<CachedJobStatus> statuses);

    /// <summary>Drops the entries of jobs whose new status the writer does not know (the next read fills them from the store).</summary>
    void Forget(IReadOnlyList<string> jobIds);

    /// <summary>A job's cached status, or null when it is not cached or the cache cannot be reached.</summary>
    Task<CachedJobStatus?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Records the number of jobs in each status, kept for <paramref name="timeToLive"/>.</summary>
    void PutCounts(IReadOnlyDictionary<JobStatus, long> counts, TimeSpan timeToLive);

    /// <summary>The cached counts, or null when they expired or the cache cannot be reached.</summary>
    Task<IReadOnlyDictionary<JobStatus, long>?> GetCountsAsync(CancellationToken cancellationToken = default);
}
