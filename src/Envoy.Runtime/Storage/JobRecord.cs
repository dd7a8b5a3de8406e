namespace Envoy.Runtime.Storage;

/// <summary>A job row as stored.</summary>
public sealed record JobRecord
{
    /// <summary>The job id.</summary>
    public required string Id { get; init; }

    /// <summary>The flow name.</summary>
    public required string Flow { get; init; }

    /// <summary>
    /// The version of the flow the job started with; empty for a job created before versions, which any scheduler that has its
    /// flow runs on its newest version.
    /// </summary>
    public string FlowVersion { get; init; } = string.Empty;

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

    /// <summary>Why the job waits (<see cref="StepCommit.WaitingReason"/> of its last commit); null in the records a claim returns.</summary>
    public string? WaitingReason { get; init; }

    /// <summary>
    /// The W3C trace context stored with the job (<see cref="NewJob.TraceParent"/>), null when none was current as it was
    /// scheduled; returned by claims too, for the step spans' links.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// The job's concurrency key (<see cref="ScheduleOptions.ConcurrencyKey"/>); empty when it has none. Jobs of a flow with one
    /// key share its slots (<see cref="ConcurrencyLimit"/>); the rate limits of a flow are counted per key too.
    /// </summary>
    public string ConcurrencyKey { get; init; } = string.Empty;

    /// <summary>
    /// The concurrency limit the job was scheduled with (its flow version's <see cref="FlowOptions.ConcurrencyLimit"/>), or null
    /// when unlimited: claims admit the job only while fewer jobs of its (flow, key) run.
    /// </summary>
    public int? ConcurrencyLimit { get; init; }

    /// <summary>Waits resolved since the context was committed.</summary>
    public IReadOnlyList<WaitRow> Resolutions { get; init; } = [];
}
