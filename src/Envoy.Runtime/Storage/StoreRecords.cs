namespace Envoy.Runtime;

/// <summary>
/// A job to insert. Times are Unix milliseconds. With a <paramref name="Lease"/>, the job is inserted already claimed
/// (eager start): running, leased to its owner, version 1, attempts 1, started now, with both its <c>Scheduled</c> and
/// <c>Claimed</c> history entries; the creating scheduler runs it without a claim round trip.
/// </summary>
public sealed record NewJob(
    string Id,
    string Flow,
    string ContextJson,
    int Priority,
    long RunAtMs,
    long CreatedAtMs,
    string? ParentId,
    string? ParentWaitId,
    string? IdempotencyKey,
    JobLease? Lease = null)
{
    /// <summary>
    /// The input the job was scheduled with, as JSON (null: none). Stored once, next to the context, and never changed by a
    /// commit: <see cref="Job.Input"/>, and what a search of the job list matches. Its bytes are already counted in
    /// <see cref="ContextJson"/>, which holds the same input for the first state.
    /// </summary>
    public string? InputJson { get; init; }

    /// <summary>The stored status: <see cref="JobStatus.Running"/> with a lease, else <see cref="JobStatus.Pending"/>.</summary>
    public JobStatus Status => Lease is null ? JobStatus.Pending : JobStatus.Running;

    /// <summary>The stored commit version: 1 when inserted claimed (as after a claim), else 0.</summary>
    public long Version => Lease is null ? 0 : 1;

    /// <summary>The history entries of the insert.</summary>
    public IReadOnlyList<JobEvent> Events
    {
        get
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(CreatedAtMs);
            var scheduled = new JobEvent(Id, at, JobEventKind.Scheduled, To: JobStatus.Pending);
            return Lease is null ? [scheduled] : [scheduled, new JobEvent(Id, at, JobEventKind.Claimed, From: JobStatus.Pending, To: JobStatus.Running)];
        }
    }

    /// <summary>The record of the job as inserted with a <see cref="Lease"/>: what a claim of it would have returned.</summary>
    public JobRecord ToClaimedRecord() => ToPendingRecord() with
    {
        Status = JobStatus.Running,
        StartedAtMs = CreatedAtMs,
        Attempts = 1,
        Version = 1,
    };

    /// <summary>The job as a plain insert stores it: pending, never claimed, version 0.</summary>
    public JobRecord ToPendingRecord() => new()
    {
        Id = Id,
        Flow = Flow,
        Status = JobStatus.Pending,
        ContextJson = ContextJson,
        InputJson = InputJson,
        Priority = Priority,
        RunAtMs = RunAtMs,
        CreatedAtMs = CreatedAtMs,
        UpdatedAtMs = CreatedAtMs,
        ParentId = ParentId,
        IdempotencyKey = IdempotencyKey,
    };
}

/// <summary>A lease taken on a job as it is inserted: <paramref name="Owner"/> runs it until <paramref name="UntilMs"/> unless renewed.</summary>
public sealed record JobLease(string Owner, long UntilMs);

/// <summary>How a wait row was resolved.</summary>
public enum WaitResolutionKind
{
    /// <summary>Not yet.</summary>
    Pending = 0,

    /// <summary>With a success value.</summary>
    Success = 1,

    /// <summary>With an error.</summary>
    Error = 2,

    /// <summary>The child behind it was cancelled.</summary>
    Cancelled = 3,
}

/// <summary>A resolved wait of a job, not yet applied to its committed context.</summary>
public sealed record WaitRow(string WaitId, WaitResolutionKind Kind, string? OutputJson, string? Error);

/// <summary>A job row as stored.</summary>
public sealed record JobRecord
{
    /// <summary>The job id.</summary>
    public required string Id { get; init; }

    /// <summary>The flow name.</summary>
    public required string Flow { get; init; }

    /// <summary>The status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>The committed context as JSON.</summary>
    public required string ContextJson { get; init; }

    /// <summary>
    /// The input the job was scheduled with as JSON (<see cref="NewJob.InputJson"/>); null when it had none, for a job created
    /// before the store kept it, and in the records a claim returns (a worker runs from the context).
    /// </summary>
    public string? InputJson { get; init; }

    /// <summary>Priority (higher first).</summary>
    public int Priority { get; init; }

    /// <summary>Run-at time.</summary>
    public long RunAtMs { get; init; }

    /// <summary>Creation time.</summary>
    public long CreatedAtMs { get; init; }

    /// <summary>Last change.</summary>
    public long UpdatedAtMs { get; init; }

    /// <summary>First claim.</summary>
    public long? StartedAtMs { get; init; }

    /// <summary>Terminal time.</summary>
    public long? FinishedAtMs { get; init; }

    /// <summary>Last error.</summary>
    public string? Error { get; init; }

    /// <summary>Parent job.</summary>
    public string? ParentId { get; init; }

    /// <summary>Retries so far.</summary>
    public int Retries { get; init; }

    /// <summary>
    /// Every retry so far, automatic and by hand, never reset (<see cref="Job.TotalRetries"/>): a commit adds each rise of
    /// <see cref="StepCommit.Retries"/> over the stored <see cref="Retries"/>, a retry by hand adds one, in the same write.
    /// Zero in the records a claim returns.
    /// </summary>
    public int TotalRetries { get; init; }

    /// <summary>Claims so far.</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// Takeovers since the job's last commit: each time its lease expired while it ran (its worker died or stopped renewing) and
    /// it was claimed again or put back to pending. Any commit sets it back to zero.
    /// </summary>
    public int Takeovers { get; init; }

    /// <summary>Idempotency key.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Commit version.</summary>
    public long Version { get; init; }

    /// <summary>Waits resolved since the context was committed.</summary>
    public IReadOnlyList<WaitRow> Resolutions { get; init; } = [];
}

/// <summary>Claim up to <paramref name="Max"/> runnable jobs of the given flows for <paramref name="Owner"/>.</summary>
public sealed record ClaimRequest(string Owner, int Max, long NowMs, long LeaseUntilMs, IReadOnlyCollection<string> Flows);

/// <summary>A wait registered by a step.</summary>
public sealed record NewWait(string WaitId, string Type);

/// <summary>An escalation registered by a step.</summary>
public sealed record NewEscalation(string Id, string User, string Message, string InputsJson);

/// <summary>
/// The commit of one step of a claimed job: applied only if the job still has <see cref="ExpectedVersion"/> and its lease
/// belongs to <see cref="Owner"/>. Everything in it (context, events, children, waits, escalations) is one transaction.
/// </summary>
public sealed record StepCommit
{
    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>The worker holding the lease.</summary>
    public required string Owner { get; init; }

    /// <summary>The version the worker read; the commit sets it + 1.</summary>
    public required long ExpectedVersion { get; init; }

    /// <summary>The new status.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>The new context as JSON.</summary>
    public required string ContextJson { get; init; }

    /// <summary>The commit time.</summary>
    public required long NowMs { get; init; }

    /// <summary>
    /// When the worker keeps running the job: its renewed lease end (a store may keep the current end while more than half of
    /// the lease from <see cref="NowMs"/> to this end remains); otherwise the lease is released.
    /// </summary>
    public long? LeaseUntilMs { get; init; }

    /// <summary>The job's error (a failed step).</summary>
    public string? Error { get; init; }

    /// <summary>The job's retry count.</summary>
    public int Retries { get; init; }

    /// <summary>For a retry: not before this time.</summary>
    public long? RunAtMs { get; init; }

    /// <summary>For a terminal commit of a child: the final output passed to the parent's wait.</summary>
    public string? OutputJson { get; init; }

    /// <summary>Children created by this step.</summary>
    public IReadOnlyList<NewJob> Children { get; init; } = [];

    /// <summary>Waits registered by this step.</summary>
    public IReadOnlyList<NewWait> Waits { get; init; } = [];

    /// <summary>Escalations registered by this step.</summary>
    public IReadOnlyList<NewEscalation> Escalations { get; init; } = [];

    /// <summary>History entries.</summary>
    public IReadOnlyList<JobEvent> Events { get; init; } = [];

    /// <summary>True when the step applied resolved waits: they are marked consumed.</summary>
    public bool ConsumedWaits { get; init; }

    /// <summary>
    /// The job's parent as the worker read it when it claimed the job (null: none). A hint that lets a store plan its round
    /// trips; a store never trusts it for correctness and finds the parent of a finishing job itself.
    /// </summary>
    public string? ParentId { get; init; }
}

/// <summary>An answer to one wait of a job.</summary>
public sealed record WaitResolution(string JobId, string WaitId, WaitResolutionKind Kind, string? OutputJson, string? Error, long NowMs);

/// <summary>A reply to an escalation.</summary>
public sealed record EscalationReply(string EscalationId, EscalationStatus Status, string ResponseJson, string? RepliedBy, long NowMs);

/// <summary>What a store operation found.</summary>
public enum StoreOutcome
{
    /// <summary>Done.</summary>
    Ok,

    /// <summary>No such job.</summary>
    JobNotFound,

    /// <summary>The job is terminal (see <see cref="StoreResult.Status"/>).</summary>
    JobTerminal,

    /// <summary>No such wait.</summary>
    WaitNotFound,

    /// <summary>The wait was already resolved.</summary>
    WaitAlreadyResolved,

    /// <summary>No such escalation.</summary>
    EscalationNotFound,

    /// <summary>The escalation was already answered.</summary>
    EscalationAlreadyAnswered,

    /// <summary>The job is not in a status this operation applies to (see <see cref="StoreResult.Status"/>).</summary>
    WrongStatus,

    /// <summary>
    /// The wait resolves another way (a child's wait when the child ends, an escalation's with a reply): see
    /// <see cref="StoreResult.WaitType"/>.
    /// </summary>
    WaitTypeMismatch,
}

/// <summary>The result of a store operation.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Status">The job's status where relevant.</param>
/// <param name="JobId">The job concerned where relevant.</param>
/// <param name="EscalationStatus">The escalation's status where relevant.</param>
/// <param name="WaitType">The wait's type where relevant (<see cref="StoreOutcome.WaitTypeMismatch"/>).</param>
public readonly record struct StoreResult(StoreOutcome Outcome, JobStatus? Status = null, string? JobId = null, EscalationStatus? EscalationStatus = null, string? WaitType = null)
{
    /// <summary>Success.</summary>
    public static StoreResult Ok { get; } = new(StoreOutcome.Ok);

    /// <summary>
    /// The descendants this operation cancelled because their ancestor ended (<see cref="IJobStore.FinishJobAsync"/>), so
    /// that the scheduler raises a <c>JobFinishedEvent</c> for each; null when none.
    /// </summary>
    public IReadOnlyList<CascadedJob>? Cascaded { get; init; }
}

/// <summary>A descendant cancelled because its ancestor ended.</summary>
/// <param name="Id">The job.</param>
/// <param name="Flow">Its flow.</param>
public sealed record CascadedJob(string Id, string Flow);

/// <summary>What one maintenance pass did.</summary>
/// <param name="ExpiredLeases">Running jobs whose lease had expired, now pending again.</param>
/// <param name="PromotedJobs">Delayed jobs that came due since the previous pass.</param>
public sealed record MaintenanceResult(IReadOnlyList<string> ExpiredLeases, long PromotedJobs)
{
    /// <summary>True when the pass changed or found something.</summary>
    public bool Any => ExpiredLeases.Count > 0 || PromotedJobs > 0;
}
