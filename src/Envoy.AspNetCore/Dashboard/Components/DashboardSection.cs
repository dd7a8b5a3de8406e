namespace Envoy.AspNetCore.Dashboard.Components;

/// <summary>The dashboard's navigation entries.</summary>
public enum DashboardSection
{
    /// <summary>No entry is current (e.g. an error page).</summary>
    None,

    /// <summary>The overview.</summary>
    Overview,

    /// <summary>The jobs list and job pages.</summary>
    Jobs,

    /// <summary>The flows and their graphs.</summary>
    Flows,

    /// <summary>The escalations inbox.</summary>
    Escalations,

    /// <summary>The recurring schedules (cron).</summary>
    Recurring,

    /// <summary>The live workers and the flow versions they serve.</summary>
    Workers,
}
