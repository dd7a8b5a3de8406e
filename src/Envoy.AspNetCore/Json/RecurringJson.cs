using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Json;

/// <summary>
/// A recurring schedule: <c>{ id, flow, cron, timeZone, input, priority, enabled, nextRunAt, lastRunAt, lastJobId, updatedAt }</c>
/// (times ISO 8601 UTC; <c>nextRunAt</c> null when disabled).
/// </summary>
public sealed record RecurringJson(
    string Id,
    string Flow,
    string Cron,
    string TimeZone,
    JsonNode? Input,
    int Priority,
    bool Enabled,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    string? LastJobId,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The JSON of <paramref name="schedule"/>.</summary>
    public static RecurringJson From(RecurringSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new(
            schedule.Id,
            schedule.Flow,
            schedule.Cron,
            schedule.TimeZone,
            schedule.Input?.DeepClone(),
            schedule.Priority,
            schedule.Enabled,
            schedule.NextRunAt?.ToUniversalTime(),
            schedule.LastRunAt?.ToUniversalTime(),
            schedule.LastJobId,
            schedule.UpdatedAt.ToUniversalTime());
    }
}
