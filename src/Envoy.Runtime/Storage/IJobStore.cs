namespace Envoy.Runtime.Storage;

/// <summary>
/// The store port: where jobs, waits, escalations and history live. Every method is one transaction. Implementations signal
/// <see cref="Coordination.IJobSignals"/> after they commit (jobs ready, jobs finished). All times are Unix milliseconds.
/// Each implementation runs the store conformance suite.
/// </summary>
public interface IJobStore : IAsyncDisposable
{
    /// <summary>A short description for logs and errors (for example <c>sqlite:/data/envoy.db</c>).</summary>
    string Description { get; }

    /// <summary>The signals this store raises and listens to.</summary>
    Coordination.IJobSignals Signals { get; }

    /// <summary>
    /// What carries scheduler events between the processes of this store (the store-wide event feed, <c>StoreEvents</c>), or
    /// null when only this scheduler's own events can be seen (the default).
    /// </summary>
    Coordination.IEventTransport? EventTransport => null;

    /// <summary>Creates or migrates the schema; safe to call from several processes.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a job (claimed at once when it has a <see cref="NewJob.Lease"/>); with an idempotency key already used, returns
    /// the existing job's id and inserts nothing.
    /// </summary>
    Task<string> CreateJobAsync(NewJob job, CancellationToken cancellationToken = default);

    /// <summary>Claims pending due jobs (by priority, then run-at, then age) and running jobs whose lease expired.</summary>
    Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits several steps together; each is applied only if its version and lease still hold. A commit whose data the store
    /// refuses (a value it cannot store, a constraint it breaks) is refused alone, with the store's reason, and nothing of it is
    /// written; the others are applied as usual. A failure of the store itself (connection, server) throws for the whole batch.
    /// </summary>
    /// <returns>For each commit, in order: applied, stale (version or lease moved on) or refused.</returns>
    Task<IReadOnlyList<CommitResult>> CommitStepsAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default);

    /// <summary><see cref="CommitStepsAsync"/>, reporting whether each commit was applied.</summary>
    /// <returns>For each commit, whether it was applied.</returns>
    /// <exception cref="CommitRefusedException">The store refused a commit's data (the others were committed as usual).</exception>
    Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of running jobs still owned by <paramref name="owner"/>.</summary>
    /// <returns>The ids whose lease was extended (the others were lost).</returns>
    Task<IReadOnlyCollection<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> jobIds, long leaseUntilMs, CancellationToken cancellationToken = default);

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

    /// <summary>
    /// Resolves one pending external wait; a blocking job with no pending wait left becomes pending. A wait of type
    /// <see cref="WaitTypes.Spawn"/> or <see cref="WaitTypes.Escalation"/> is refused (<see cref="StoreOutcome.WaitTypeMismatch"/>):
    /// those resolve only when the child ends or through <see cref="ReplyToEscalationAsync"/>.
    /// </summary>
    Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default);

    /// <summary>
    /// Answers a pending escalation and resolves its wait. An escalation already answered is
    /// <see cref="StoreOutcome.EscalationAlreadyAnswered"/>; one whose job ended (the escalation is then
    /// <see cref="EscalationStatus.Cancelled"/>) is <see cref="StoreOutcome.JobTerminal"/>.
    /// </summary>
    Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a non-terminal job by hand (<see cref="JobStatus.Cancelled"/> or <see cref="JobStatus.Failed"/>): its non-terminal
    /// descendants are cancelled, and its parent's wait resolves. The pending escalations of the job and of every descendant
    /// cancelled with it become <see cref="EscalationStatus.Cancelled"/> (as when a step commit fails or cancels a job).
    /// </summary>
    Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a <see cref="JobStatus.Failed"/> or <see cref="JobStatus.Cancelled"/> job again from its last committed context,
    /// its retry count reset (any other status is <see cref="StoreOutcome.WrongStatus"/>). Its waits still pending are set up
    /// again: a child that was cancelled or failed is retried the same way (recursively), a cancelled or expired escalation is
    /// pending again; with a wait still pending the job is <see cref="JobStatus.Blocking"/>, else <see cref="JobStatus.Pending"/>
    /// and due at once. <see cref="StoreResult.Status"/> is the job's new status.
    /// </summary>
    Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default);

    /// <summary>One escalation, or null.</summary>
    Task<Escalation?> GetEscalationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Escalations, newest first, optionally by status and user.</summary>
    Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status, string? user, CancellationToken cancellationToken = default);

    /// <summary>The earliest run-at of a pending job not yet due, or null.</summary>
    Task<long?> NextDueAtAsync(long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// A job's status, from the store's fast status cache when it has one (which may lag by a moment), else from the store;
    /// null for an unknown job. For display: decisions read <see cref="GetJobAsync"/>.
    /// </summary>
    Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The earliest run-at of a pending job that is due at <paramref name="nowMs"/> (run-at at or before it), or null when no
    /// pending job is due: how far behind the queue is. One probe of the due index (a delayed job not yet due is not behind).
    /// </summary>
    Task<long?> OldestDueAtAsync(long nowMs, CancellationToken cancellationToken = default);

    /// <summary>How many jobs are in each status (every status present, zeros included), cached for a moment where the store can.</summary>
    Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// One maintenance pass, run by the maintenance leader: running jobs whose lease expired before <paramref name="nowMs"/> go
    /// back to pending (at most <paramref name="limit"/>; history <see cref="JobEventKind.LeaseExpired"/>), and pending jobs whose
    /// run-at came in (<paramref name="sinceMs"/>, <paramref name="nowMs"/>] are counted (delayed jobs promoted to due). When
    /// either found any, idle workers everywhere are woken.
    /// </summary>
    Task<MaintenanceResult> RunMaintenanceAsync(long sinceMs, long nowMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>A new holder of the maintenance leader lock shared by every scheduler on this store.</summary>
    Coordination.ILeaderLock CreateLeaderLock();
}
