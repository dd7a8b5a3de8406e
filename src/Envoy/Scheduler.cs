using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy;

/// <summary>
/// The durable scheduler. <c>Scheduler.InitAsync</c> (<see cref="SchedulerFactory"/>) opens the configured store (the embedded
/// SQLite file by default), migrates its schema and returns a scheduler ready for <c>AddFlow</c> and <c>StartAsync</c>.
/// </summary>
public sealed class Scheduler : JobScheduler
{
    internal Scheduler(IJobStore store, SchedulerOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
        : base(store, options, timeProvider, loggerFactory)
    {
    }

    /// <summary>Registers (or replaces) a flow under a name; returns this scheduler.</summary>
    public new Scheduler AddFlow(string name, StateFlow flow, FlowOptions? options = null)
    {
        base.AddFlow(name, flow, options);
        return this;
    }
}
