namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>Everything the job page shows, loaded by <c>JobPageEndpoints</c> with a bounded number of store calls.</summary>
/// <param name="Job">The job.</param>
/// <param name="History">Its history, oldest first (the page shows the newest <see cref="JobPageModel.MaxTimeline"/>).</param>
/// <param name="Children">Its first children, oldest first (at most <see cref="JobPageModel.MaxChildren"/>).</param>
/// <param name="MoreChildren">Whether it has more children than listed.</param>
/// <param name="Escalations">The escalations of the current state's escalation waits (who is asked, who answered).</param>
/// <param name="Graph">Its flow's graph with its path, or null when the flow is not registered here.</param>
/// <param name="Agent">The agent run, for a ToolAgent job.</param>
/// <param name="Retries">Every retry it had (automatic and by hand), from its history.</param>
/// <param name="Now">When the page is drawn.</param>
public sealed record JobPageModel(
    Job Job,
    IReadOnlyList<JobEvent> History,
    IReadOnlyList<Job> Children,
    bool MoreChildren,
    IReadOnlyList<Escalation> Escalations,
    FlowGraph? Graph,
    AgentRun? Agent,
    int Retries,
    DateTimeOffset Now)
{
    /// <summary>
    /// Whether a live worker on the store (<see cref="Scheduler.ListWorkersAsync"/>) has the job's flow at its version
    /// (<see cref="Job.FlowVersion"/>), or the job is finished: when not, the page says that no live worker has this version
    /// (a job of a version every process has left, in a rolling deploy), the store-wide answer of
    /// <see cref="Scheduler.ListUnservedJobsAsync"/>.
    /// </summary>
    public bool VersionServed { get; init; } = true;

    /// <summary>The most history entries the timeline shows (the newest).</summary>
    public const int MaxTimeline = 200;

    /// <summary>The most children listed.</summary>
    public const int MaxChildren = 50;

    /// <summary>The most escalations read for one page.</summary>
    public const int MaxEscalations = 5;
}
