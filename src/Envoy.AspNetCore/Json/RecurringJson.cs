using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>
/// A recurring schedule as the API writes it: <c>{ id, flow, cron, timeZone, input, priority, enabled, nextRunAt, lastRunAt,
/// lastJobId, updatedAt }</c>. Times are UTC <see cref="DateTime"/>s, written as ISO 8601 with <c>Z</c>.
/// </summary>
public sealed record RecurringJson
{
    /// <summary>The schedule's id.</summary>
    public required string Id { get; init; }

    /// <summary>The flow each occurrence runs.</summary>
    public required string Flow { get; init; }

    /// <summary>The cron expression (5 fields, or 6 with seconds first).</summary>
    public required string Cron { get; init; }

    /// <summary>The time zone the expression is read in (<c>UTC</c> by default).</summary>
    public required string TimeZone { get; init; }

    /// <summary>The input of each job, or null.</summary>
    public JsonNode? Input { get; init; }

    /// <summary>The priority of its jobs.</summary>
    public int Priority { get; init; }

    /// <summary>Whether it fires.</summary>
    public bool Enabled { get; init; }

    /// <summary>The next occurrence it fires at; null when disabled or when there is none.</summary>
    public DateTime? NextRunAt { get; init; }

    /// <summary>When it last created a job, or null.</summary>
    public DateTime? LastRunAt { get; init; }

    /// <summary>The job it last created, or null.</summary>
    public string? LastJobId { get; init; }

    /// <summary>When it was last added or updated.</summary>
    public DateTime UpdatedAt { get; init; }

    /// <summary>The JSON of <paramref name="schedule"/>.</summary>
    public static RecurringJson From(RecurringSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new()
        {
            Id = schedule.Id,
            Flow = schedule.Flow,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone,
            Input = schedule.Input?.DeepClone(),
            Priority = schedule.Priority,
            Enabled = schedule.Enabled,
            NextRunAt = schedule.NextRunAt?.UtcDateTime,
            LastRunAt = schedule.LastRunAt?.UtcDateTime,
            LastJobId = schedule.LastJobId,
            UpdatedAt = schedule.UpdatedAt.UtcDateTime,
        };
    }
}
