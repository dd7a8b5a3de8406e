namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>The snippets of docs/operations.md "Rate limits" and "LLM provider limits", compiled.</summary>
public static class RateLimitSnippets
{
    /// <summary>At most 60 step starts of "summarize" per minute, over every process.</summary>
    public static Scheduler AddLimitedFlow(Scheduler scheduler, StateFlow flow)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        scheduler.AddFlow("summarize", flow, new FlowOptions { RateLimit = new RateLimit(60, TimeSpan.FromMinutes(1)) });
        return scheduler;
    }
}
