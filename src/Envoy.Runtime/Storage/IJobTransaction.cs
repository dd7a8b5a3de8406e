namespace Envoy.Runtime.Storage;

/// <summary>
/// The primitive reads and writes of one open store transaction that the job state machine
/// (<see cref="StateMachine.JobStateMachine"/>) runs its rules on. A store implements it once over its connection and
/// transaction and decides nothing: which job moves where, which wait resolves with what, what is cancelled or revived, and
/// which history entries are written is the state machine's call. Each member is one statement of the store's SQL.
/// </summary>
/// <remarks>
/// Members return <see cref="ValueTask"/>: a store whose driver is synchronous (SQLite) completes them synchronously.
/// Writes happen in the order they are called, so history entries keep the order the rules write them in.
/// </remarks>
public interface IJobTransaction
{
    /// <summary>What the transaction changed, published once it commits: the state machine records ready, finished, cascaded and changed jobs here.</summary>
    StoreEffects Effects { get; }

    /// <summary>
    /// Reads a job's status and parent, locking its row until the transaction ends where the store has row locks (so that
    /// siblings finishing at once see each other's resolutions); null when there is no such job.
    /// </summary>
    ValueTask<LockedJob?> LockJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Reads an escalation, locking its row where the store has row locks; null when there is no such escalation.</summary>
    ValueTask<Escalation?> LockEscalationAsync(string escalationId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a job's status and one of its waits, locking the job's row like <see cref="LockJobAsync"/>, and reading the wait
    /// as it is once the lock is held (so two resolutions of one wait never both see it pending); null when there is no such
    /// job. Every wait resolution reads both: a store does it in one statement where it can (SQLite, whose one writer holds
    /// the lock already), which is all a child's end costs its parent before the writes.
    /// </summary>
    ValueTask<LockedWait?> LockJobWaitAsync(string jobId, string waitId, CancellationToken cancellationToken);

    /// <summary>Writes a job's terminal status and error, clears its lease and stamps its finish time.</summary>
    ValueTask WriteFinishedAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken);

    /// <summary>Writes a failed or cancelled job's new status (pending or blocking) to run it again: error and retries reset, lease cleared.</summary>
    ValueTask WriteRevivedAsync(string jobId, JobStatus status, long nowMs, CancellationToken cancellationToken);

    /// <summary>Appends an entry to a job's history.</summary>
    ValueTask AppendEventAsync(JobEvent entry, CancellationToken cancellationToken);

    /// <summary>Writes the reply to a pending escalation.</summary>
    ValueTask WriteEscalationReplyAsync(EscalationReply reply, CancellationToken cancellationToken);

    /// <summary>Writes the resolution of a pending wait.</summary>
    ValueTask WriteWaitResolutionAsync(WaitResolution resolution, CancellationToken cancellationToken);

    /// <summary>Makes a blocking job pending (due now) when none of its waits is pending; true when it did.</summary>
    ValueTask<bool> UnblockAsync(string jobId, long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// What decides whether a job just made pending here (<see cref="UnblockAsync"/>) may start at once: its flow, version and
    /// concurrency limit; null (the default) when the store does not start jobs in a timer's transaction.
    /// </summary>
    ValueTask<UnblockedJob?> ReadUnblockedAsync(string jobId, CancellationToken cancellationToken) => ValueTask.FromResult<UnblockedJob?>(null);

    /// <summary>
    /// Makes the pending job running, leased to <paramref name="lease"/>'s owner, as a claim does (<see cref="ITimerBatchTransaction.StartJobsAsync"/>);
    /// returns its record with its wait resolutions, or null when it is not pending (or, the default, the store does not start
    /// jobs in a transaction).
    /// </summary>
    ValueTask<JobRecord?> StartJobAsync(string jobId, JobLease lease, long nowMs, CancellationToken cancellationToken) => ValueTask.FromResult<JobRecord?>(null);

    /// <summary>Cancels every unfinished descendant of a job with <paramref name="error"/>; returns them.</summary>
    ValueTask<IReadOnlyList<CascadedJob>> CancelDescendantsAsync(string rootJobId, string error, long nowMs, CancellationToken cancellationToken);

    /// <summary>Cancels the pending escalations behind the pending waits of the jobs in <paramref name="jobIds"/>.</summary>
    ValueTask CancelEscalationsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken);

    /// <summary>Makes the cancelled or expired escalations behind a job's pending waits pending again.</summary>
    ValueTask ReviveEscalationsAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>The children behind a job's pending spawn waits, with their status.</summary>
    ValueTask<IReadOnlyList<ChildJob>> ChildrenOfPendingWaitsAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>True when one of a job's waits is pending.</summary>
    ValueTask<bool> HasPendingWaitAsync(string jobId, CancellationToken cancellationToken);
}
