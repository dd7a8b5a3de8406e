namespace Envoy.Runtime.Storage;

/// <summary>
/// The store's write port: what changes jobs, waits and escalations. Every method is one transaction; the store signals
/// <see cref="Coordination.IJobSignals"/> after it commits (jobs ready, jobs finished). All times are Unix milliseconds.
/// </summary>
public interface IJobWriteStore
{
    /// <summary>
    /// Inserts a job (claimed at once when it has a <see cref="NewJob.Lease"/>); with an idempotency key already used, returns
    /// the existing job's id and inserts nothing.
    /// </summary>
    Task<string> CreateJobAsync(NewJob job, CancellationToken cancellationToken = default);

    /// <summary>
    /// The eager start of a job with a concurrency limit (<see cref="NewJob.ConcurrencyLimit"/> and a <see cref="NewJob.Lease"/>):
    /// inserted claimed, as by <see cref="CreateJobAsync"/> with a lease, only when its (flow, key) has a free slot
    /// (<see cref="StateMachine.JobStateMachine.HasFreeSlot"/> of its running jobs and the job's limit, counted under the same
    /// serialization as a claim of limited jobs, over every process); otherwise inserted pending without the lease, as
    /// <see cref="CreateJobAsync"/> without one (a claim admits it later). An idempotency key already used inserts nothing.
    /// The default inserts it pending: a store that cannot count under that serialization never starts a limited job eagerly.
    /// </summary>
    Task<CreatedJob> CreateLimitedJobAsync(NewJob job, CancellationToken cancellationToken = default) =>
        CreateLimitedPendingAsync(this, job, cancellationToken);

    private static async Task<CreatedJob> CreateLimitedPendingAsync(IJobWriteStore store, NewJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new CreatedJob(await store.CreateJobAsync(job with { Lease = null }, cancellationToken).ConfigureAwait(false), Started: false);
    }

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

    /// <summary>
    /// Inserts a recurring schedule, or replaces the one with its id: every column from <paramref name="row"/> except
    /// <see cref="RecurringRow.LastRunAtMs"/> and <see cref="RecurringRow.LastJobId"/>, which an update keeps.
    /// </summary>
    Task SaveRecurringAsync(RecurringRow row, CancellationToken cancellationToken = default);

    /// <summary>Deletes a recurring schedule; false when no schedule has this id. Its jobs stay.</summary>
    Task<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a job a recurring schedule created (its last run and job) and, with <see cref="RecurringRun.Advance"/>, moves its
    /// next occurrence on, only if the stored next occurrence is still the expected one. False when nothing changed (an unknown
    /// id, or another process moved the occurrence on first).
    /// </summary>
    Task<bool> RecordRecurringRunAsync(RecurringRun run, CancellationToken cancellationToken = default);
}
