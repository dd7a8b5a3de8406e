namespace Envoy;

/// <summary>How a recurring schedule (<see cref="Scheduler.AddRecurringAsync"/>) runs: its time zone, its jobs' priority, whether it fires.</summary>
public sealed class RecurringOptions
{
    /// <summary>
    /// The time zone the cron expression is read in: an IANA id (<c>"Europe/Berlin"</c>) or a Windows id, as
    /// <see cref="TimeZoneInfo.FindSystemTimeZoneById"/> takes it (a <see cref="TimeZoneInfo.Id"/> works too). Null or empty: UTC.
    /// Occurrences across a daylight-saving change follow Cronos: a time skipped by the change runs once right after it, a time
    /// repeated by it runs once.
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>The priority of the jobs the schedule creates (default 0; higher runs first).</summary>
    public int Priority { get; set; }

    /// <summary>Whether the schedule fires (default true). A disabled schedule is kept and can still be triggered by hand.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A copy of these options.</summary>
    public RecurringOptions Clone() => new() { TimeZone = TimeZone, Priority = Priority, Enabled = Enabled };
}
