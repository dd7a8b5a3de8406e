using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1340, LogLevel.Error, "Job {JobId} of flow '{Flow}' (version '{FlowVersion}') cannot run here and fails: {Problem}")]
    public static partial void JobVersionMissing(ILogger logger, string jobId, string flow, string flowVersion, string problem);

    [LoggerMessage(1341, LogLevel.Warning, "{Count} jobs of flow '{Flow}' version '{FlowVersion}' have been pending for over {PendingFor} and this scheduler ({WorkerId}) has other versions of that flow ({Versions}); unless another process registers that version, they never run (for example job {JobId}; see ListUnservedJobsAsync)")]
    public static partial void UnservedFlowVersion(ILogger logger, string count, string flow, string flowVersion, TimeSpan pendingFor, string workerId, string versions, string jobId);
}
