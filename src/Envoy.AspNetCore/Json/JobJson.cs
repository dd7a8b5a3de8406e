using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>A job as the API writes it (server.md, "Job JSON"). Times are UTC <see cref="DateTime"/>s, written as ISO 8601 with <c>Z</c>.</summary>
public sealed record JobJson
{
    /// <summary>The job id.</summary>
    public required string Id { get; init; }

    /// <summary>The flow's name.</summary>
    public required string Flow { get; init; }

    /// <summary>
    /// The version of the flow the job started with and runs on (<see cref="Job.FlowVersion"/>); null for a job created before
    /// flow versions.
    /// </summary>
    public string? FlowVersion { get; init; }

    /// <summary><c>pending</c>, <c>running</c>, <c>blocking</c>, <c>done</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The current state.</summary>
    public required string State { get; init; }

    /// <summary>The current step (1-based).</summary>
    public int Step { get; init; }

    /// <summary>The input the job was scheduled with, unchanged as it runs.</summary>
    public JsonNode? Input { get; init; }

    /// <summary>The current state's input.</summary>
    public JsonNode? StateInput { get; init; }

    /// <summary>The current output (the result, once done).</summary>
    public JsonNode? Output { get; init; }

    /// <summary>The flow's custom data.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>The last error.</summary>
    public string? Error { get; init; }

    /// <summary>The parent of a spawned child.</summary>
    public string? ParentId { get; init; }

    /// <summary>Higher runs first.</summary>
    public int Priority { get; init; }

    /// <summary>
    /// Every retry the job had, automatic and by hand (the first run is not one): <see cref="Job.TotalRetries"/>, which a retry
    /// by hand grows by one and never resets (unlike <see cref="Job.Retries"/>, the automatic-retry budget).
    /// </summary>
    public int Retries { get; init; }

    /// <summary>Claims by a worker.</summary>
    public int Attempts { get; init; }

    /// <summary>The idempotency key it was scheduled with.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The concurrency key it was scheduled with (<see cref="Job.ConcurrencyKey"/>).</summary>
    public string? ConcurrencyKey { get; init; }

    /// <summary>
    /// Why this pending job does not start although due (<see cref="Job.WaitingReason"/>: its flow's concurrency limit or rate
    /// limit), or null when nothing holds it.
    /// </summary>
    public string? WaitingReason { get; init; }

    /// <summary>Not run before this time.</summary>
    public DateTime RunAt { get; init; }

    /// <summary>When it was scheduled.</summary>
    public DateTime CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTime UpdatedAt { get; init; }

    /// <summary>When a worker first claimed it.</summary>
    public DateTime? StartedAt { get; init; }

    /// <summary>When it ended.</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>Its waits: what it waits for, and what each received.</summary>
    public IReadOnlyList<WaitJson> Waits { get; init; } = [];

    /// <summary>The API form of <paramref name="job"/>.</summary>
    public static JobJson From(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var context = job.Context;
        return new JobJson
        {
            Id = job.Id,
            Flow = job.Flow,
            FlowVersion = job.FlowVersion,
            Status = JsonNames.Of(job.Status),
            State = context.State,
            Step = context.Step,
            Input = job.Input?.DeepClone(),
            StateInput = context.Input()?.DeepClone(),
            Output = context.Output()?.DeepClone(),
            Data = context.Data.DeepClone(),
            Error = job.Error,
            ParentId = job.ParentId,
            Priority = job.Priority,
            Retries = job.TotalRetries,
            Attempts = job.Attempts,
            IdempotencyKey = job.IdempotencyKey,
            ConcurrencyKey = job.ConcurrencyKey,
            WaitingReason = job.WaitingReason,
            RunAt = job.RunAt.UtcDateTime,
            CreatedAt = job.CreatedAt.UtcDateTime,
            UpdatedAt = job.UpdatedAt.UtcDateTime,
            StartedAt = job.StartedAt?.UtcDateTime,
            FinishedAt = job.FinishedAt?.UtcDateTime,
            Waits = context.Waits.Select(WaitJson.From).ToList(),
        };
    }
}
