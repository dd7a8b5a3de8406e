using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>What the workers of one scheduler share.</summary>
internal sealed record RuntimeServices(
    IJobStore Store,
    FlowRegistry Flows,
    SchedulerOptions Config,
    TimeProvider Time,
    ILogger Logger,
    SchedulerEventHub Events,
    StoreEventFeed StoreEvents,
    string WorkerId)
{
    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public long LeaseUntilMs => NowMs + (long)Config.LeaseDuration.TotalMilliseconds;

    public string NewJobId() => Guid.CreateVersion7(Time.GetUtcNow()).ToString();
}
