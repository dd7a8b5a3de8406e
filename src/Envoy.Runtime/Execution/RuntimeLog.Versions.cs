using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1340, LogLevel.Error, "Job {JobId} of flow '{Flow}' (version '{FlowVersion}') cannot run here and fails: {Problem}")]
    public static partial void JobVersionMissing(ILogger logger, string jobId, string flow, string flowVersion, string problem);
}
