namespace Envoy.Runtime.Storage;

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

    /// <summary>The version of the flow the job starts with (<c>FlowOptions.Version</c> or its shape's hash); empty: none recorded.</summary>
    public string FlowVersion { get; init; } = string.Empty;
    /// <summary>
    /// The W3C trace context of the span that scheduled the job (for a child, the parent's step span): its <c>traceparent</c>,
    /// then a line feed and its <c>tracestate</c> when it has one; null when no span was current (nobody traces). Stored once
    /// with the job, never changed; each step's span links to it, in whichever process runs the step.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The job's concurrency key (<see cref="JobRecord.ConcurrencyKey"/>); empty: none.</summary>
    public string ConcurrencyKey { get; init; } = string.Empty;

    /// <summary>The concurrency limit of the job's flow version (<see cref="JobRecord.ConcurrencyLimit"/>); null: unlimited.</summary>
    public int? ConcurrencyLimit { get; init; }

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
        FlowVersion = FlowVersion,
        Priority = Priority,
        RunAtMs = RunAtMs,
        CreatedAtMs = CreatedAtMs,
        UpdatedAtMs = CreatedAtMs,
        ParentId = ParentId,
        IdempotencyKey = IdempotencyKey,
        TraceParent = TraceParent,
        ConcurrencyKey = ConcurrencyKey,
        ConcurrencyLimit = ConcurrencyLimit,
    };
}
