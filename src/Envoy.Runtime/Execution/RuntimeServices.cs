using Envoy.Runtime.Storage;
using Envoy.Runtime.Execution.Events;
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
    /// <summary>The store's write port (the same store as <see cref="Store"/>).</summary>
    public IJobWriteStore Writes => Store;

    /// <summary>The store's query port (the same store as <see cref="Store"/>).</summary>
    public IJobQueryStore Queries => Store;

    /// <summary>The store's coordination port (the same store as <see cref="Store"/>).</summary>
    public IJobCoordinationStore Coordination => Store;

    /// <summary>What happened to the progress reports of this scheduler's steps.</summary>
    public ProgressCounters Progress { get; } = new();

    /// <summary>Where a step committed here tells this scheduler's <see cref="TimerFiring"/> that it armed a timer.</summary>
    public TimerArming Timers { get; } = new();

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public long LeaseUntilMs => NowMs + (long)Config.LeaseDuration.TotalMilliseconds;

    public string NewJobId() => Guid.CreateVersion7(Time.GetUtcNow()).ToString();
}
