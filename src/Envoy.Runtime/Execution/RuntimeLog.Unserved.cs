using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1100, LogLevel.Warning, "{Count} jobs of flow '{Flow}' have been pending for over {PendingFor} and this scheduler ({WorkerId}) does not have that flow; unless another process registers it, they never run (for example job {JobId}; see ListUnservedJobsAsync)")]
    public static partial void UnservedJobs(ILogger logger, string count, string flow, TimeSpan pendingFor, string workerId, string jobId);
}
