using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A stored recurring schedule, as <see cref="Scheduler.ListRecurringAsync"/> returns it.</summary>
/// <param name="Id">The schedule's id (chosen by the caller of <see cref="Scheduler.AddRecurringAsync"/>).</param>
/// <param name="Flow">The flow each occurrence schedules a job of.</param>
/// <param name="Cron">The cron expression (5 fields, or 6 with seconds first).</param>
/// <param name="TimeZone">The time zone the expression is read in (<c>UTC</c> when none was given).</param>
public sealed record RecurringSchedule(string Id, string Flow, string Cron, string TimeZone)
{
    /// <summary>The input each job is scheduled with, or null.</summary>
    public JsonNode? Input { get; init; }

    /// <summary>The priority of the jobs the schedule creates.</summary>
    public int Priority { get; init; }

    /// <summary>Whether the schedule fires.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The next occurrence the schedule will fire at (UTC); null when disabled or when the expression has no future occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>When the schedule last created a job (an occurrence or a trigger by hand), or null.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The id of the job the schedule last created, or null.</summary>
    public string? LastJobId { get; init; }

    /// <summary>When the schedule was last added or updated.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
