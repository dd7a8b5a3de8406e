namespace Envoy.Runtime.Storage;

/// <summary>A recurring schedule as stored (table <c>recurring</c>). Times are Unix milliseconds.</summary>
public sealed record RecurringRow
{
    /// <summary>The schedule's id.</summary>
    public required string Id { get; init; }

    /// <summary>The flow each occurrence schedules a job of.</summary>
    public required string Flow { get; init; }

    /// <summary>The cron expression as given (already validated).</summary>
    public required string Cron { get; init; }

    /// <summary>The time zone id the expression is read in (<c>UTC</c> when none was given).</summary>
    public required string TimeZone { get; init; }

    /// <summary>The input of each job as JSON, or null.</summary>
    public string? InputJson { get; init; }

    /// <summary>The priority of the jobs it creates.</summary>
    public int Priority { get; init; }

    /// <summary>Whether it fires.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The next occurrence to fire (UTC), or null when the expression has no future occurrence.</summary>
    public long? NextRunAtMs { get; init; }

    /// <summary>When it last created a job, or null. Kept by <see cref="IJobWriteStore.SaveRecurringAsync"/> on an update.</summary>
    public long? LastRunAtMs { get; init; }

    /// <summary>The job it last created, or null. Kept by <see cref="IJobWriteStore.SaveRecurringAsync"/> on an update.</summary>
    public string? LastJobId { get; init; }

    /// <summary>When it was last added or updated.</summary>
    public long UpdatedAtMs { get; init; }
}
