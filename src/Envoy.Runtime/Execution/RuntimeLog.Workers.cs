using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1520, LogLevel.Warning, "{Count} jobs of flow '{Flow}' have been pending for over {PendingFor} and no live worker on this store serves that flow; they run once a worker that has it starts (for example job {JobId}; see ListUnservedJobsAsync and ListWorkersAsync)")]
    public static partial void UnservedFlow(ILogger logger, string count, string flow, TimeSpan pendingFor, string jobId);

    [LoggerMessage(1521, LogLevel.Warning, "{Count} jobs of flow '{Flow}' version '{FlowVersion}' have been pending for over {PendingFor} and no live worker on this store has that version (live workers have other versions of that flow: {Versions}); they run once a worker that has it starts (for example job {JobId}; see ListUnservedJobsAsync and ListWorkersAsync)")]
    public static partial void UnservedFlowVersion(ILogger logger, string count, string flow, string flowVersion, TimeSpan pendingFor, string versions, string jobId);

    [LoggerMessage(1522, LogLevel.Warning, "Worker {WorkerId} could not renew its row in the store's registry of live workers (it drops out of ListWorkersAsync if this lasts past its lease duration); trying again")]
    public static partial void WorkerHeartbeatFailed(ILogger logger, string workerId, Exception exception);

    [LoggerMessage(1523, LogLevel.Debug, "Worker {WorkerId} could not remove its row from the store's registry of live workers on stop; it drops out when its heartbeat expires")]
    public static partial void WorkerRemoveFailed(ILogger logger, string workerId, Exception exception);
}
