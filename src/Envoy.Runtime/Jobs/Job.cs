using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A durable run of a flow, as stored.</summary>
public sealed record Job
{
    /// <summary>The job id (a UUID).</summary>
    public required string Id { get; init; }

    /// <summary>The flow's registered name.</summary>
    public required string Flow { get; init; }

    /// <summary>
    /// The version of the flow the job started with and runs on to the end (<see cref="FlowOptions.Version"/>, or the hash of
    /// the flow's shape); null for a job created before versions, which runs on the newest version of its flow.
    /// </summary>
    public string? FlowVersion { get; init; }

    /// <summary>Where the job stands.</summary>
    public required JobStatus Status { get; init; }

    /// <summary>The last committed context (with resolved waits applied while the job is blocking).</summary>
    public required StateContext Context { get; init; }

    /// <summary>
    /// The input the job was scheduled with (for a child, the input its parent spawned it with), unchanged as the job runs; the
    /// current state's input is <c>Context.Input()</c>. Null when it was scheduled without one, and for jobs created before the
    /// store kept it (PostgreSQL schema version 6, SQLite version 3).
    /// </summary>
    public JsonNode? Input { get; init; }

    /// <summary>When the job was scheduled.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the job last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When a worker first claimed it.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it became terminal.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The last error (a failed step, a manual failure, cancellation).</summary>
    public string? Error { get; init; }

    /// <summary>The parent job of a spawned child.</summary>
    public string? ParentId { get; init; }

    /// <summary>
    /// The automatic retries of the job's current run: the budget its flow's <c>MaxRetries</c> is checked against. A retry by
    /// hand (<see cref="Scheduler.RetryJobAsync"/>) starts it again from 0; <see cref="TotalRetries"/> counts every retry.
    /// </summary>
    public int Retries { get; init; }

    /// <summary>
    /// Every retry the job ever had, automatic (a failed step that goes back to pending) and by hand; never reset. The store
    /// keeps it in the same write as the retry. Jobs created before the store kept it (PostgreSQL schema version 8, SQLite
    /// version 4) were counted from their history by that migration.
    /// </summary>
    public int TotalRetries { get; init; }

    /// <summary>Higher runs first.</summary>
    public int Priority { get; init; }

    /// <summary>Not claimed before this time.</summary>
    public DateTimeOffset RunAt { get; init; }

    /// <summary>How many times a worker claimed it (takeovers and retries included).</summary>
    public int Attempts { get; init; }

    /// <summary>The idempotency key it was scheduled with.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The commit version; every change increases it.</summary>
    public long Version { get; init; }

    /// <summary>The concurrency key it was scheduled with (<see cref="ScheduleOptions.ConcurrencyKey"/>), or null.</summary>
    public string? ConcurrencyKey { get; init; }

    /// <summary>
    /// Why this pending job does not start although it may be due, or null when nothing holds it but its turn (and for jobs in
    /// any other status): a job held by its flow's <see cref="FlowOptions.ConcurrencyLimit"/>, e.g.
    /// <c>concurrency limit: 2 of 2 running for key 'tenant-a'</c> (filled by <see cref="Scheduler.GetJobAsync"/> and
    /// <see cref="Scheduler.ListJobsAsync"/> when read), or one whose step its flow's <see cref="FlowOptions.RateLimit"/>
    /// refused a permit, e.g. <c>rate limit: 5 per 00:01:00; next start at 2026-12-06T20:15:00.000Z</c>.
    /// </summary>
    public string? WaitingReason { get; init; }
}
