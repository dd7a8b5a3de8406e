namespace Envoy;

/// <summary>
/// A live worker: a started scheduler on this store, as it registered itself and renews with a heartbeat
/// (<c>Scheduler.ListWorkersAsync</c>). A worker that stops cleanly removes itself; one that died drops out once its heartbeat
/// is older than its lease duration.
/// </summary>
/// <param name="Id">Its id (<c>Scheduler.WorkerId</c>).</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="ProcessId">Its operating system process id.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="LastSeenAt">Its latest heartbeat.</param>
/// <param name="Flows">The (flow, version) pairs it serves: the jobs it may claim.</param>
public sealed record WorkerInfo(string Id, string Host, int ProcessId, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, IReadOnlyList<FlowVersion> Flows);
