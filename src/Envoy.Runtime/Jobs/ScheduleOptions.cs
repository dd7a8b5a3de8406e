namespace Envoy;

/// <summary>How to schedule a job.</summary>
public sealed class ScheduleOptions
{
    /// <summary>Scheduling again with the same key returns the first job's id and creates nothing.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Do not run before this time.</summary>
    public DateTimeOffset? RunAt { get; init; }

    /// <summary>Do not run before now plus this delay (ignored when <see cref="RunAt"/> is set).</summary>
    public TimeSpan? Delay { get; init; }

    /// <summary>Higher runs first (default 0).</summary>
    public int Priority { get; init; }

    /// <summary>Records the job as a child of this job (no wait is created).</summary>
    public string? ParentId { get; init; }

    /// <summary>
    /// The job's concurrency key (a tenant, a user, a document; 1 to 200 characters, not only white space): when its flow has a
    /// <see cref="FlowOptions.ConcurrencyLimit"/>, at most that many jobs of the flow with this key run at once, over every
    /// process; the others stay pending in order and start as slots free. Null (the default): the job shares the flow's one
    /// key-less slot set. Ignored (but stored, see <see cref="Job.ConcurrencyKey"/>) when the flow has no limit.
    /// </summary>
    public string? ConcurrencyKey { get; init; }
}
