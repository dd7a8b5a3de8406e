namespace Envoy.Runtime.Storage;

/// <summary>
/// The store's query port: reads of jobs, history, escalations and counts, for the scheduler's public reads and the HTTP API.
/// Nothing here changes the store. All times are Unix milliseconds.
/// </summary>
public interface IJobQueryStore
{
    /// <summary>One job with its unapplied wait resolutions, or null.</summary>
    Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The jobs among <paramref name="ids"/> that exist, in any order, each as <see cref="GetJobAsync"/> returns it; unknown ids
    /// are left out. One read for many jobs: how a scheduler's waiters learn about the jobs they wait for without a read (and a
    /// connection) each.
    /// </summary>
    Task<IReadOnlyList<JobRecord>> GetJobsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default);

    /// <summary>
    /// Jobs matching a query, newest first (by creation time, then insertion order). Validates the query first
    /// (<see cref="JobQuery.Validate"/>); <see cref="JobQuery.Search"/> is matched as its documentation says, with the term as a
    /// parameter.
    /// </summary>
    Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>A job's history in order, or null for an unknown job.</summary>
    Task<IReadOnlyList<JobEvent>?> GetHistoryAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>One escalation, or null.</summary>
    Task<Escalation?> GetEscalationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Escalations, newest first, optionally by status and user.</summary>
    Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status, string? user, CancellationToken cancellationToken = default);

    /// <summary>
    /// A job's status, from a fast status cache when one serves this store (which may lag by a moment: see
    /// <see cref="Coordination.StatusCachedJobStore"/>), else from the store; null for an unknown job. For display: decisions
    /// read <see cref="GetJobAsync"/>.
    /// </summary>
    Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The earliest run-at of a pending job that is due at <paramref name="nowMs"/> (run-at at or before it), or null when no
    /// pending job is due: how far behind the queue is. One probe of the due index (a delayed job not yet due is not behind).
    /// </summary>
    Task<long?> OldestDueAtAsync(long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many jobs are in each status (every status present, zeros included), cached for a moment where a status cache serves
    /// this store.
    /// </summary>
    Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>One recurring schedule, or null.</summary>
    Task<RecurringRow?> GetRecurringAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Every recurring schedule, by id.</summary>
    Task<IReadOnlyList<RecurringRow>> ListRecurringAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// How many jobs of <paramref name="flow"/> with concurrency key <paramref name="concurrencyKey"/> (empty: none) and a
    /// concurrency limit are running now: the slots of that key in use. One probe of an index of running limited jobs.
    /// </summary>
    Task<int> CountRunningLimitedAsync(string flow, string concurrencyKey, CancellationToken cancellationToken = default);
}
