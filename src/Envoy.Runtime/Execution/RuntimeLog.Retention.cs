using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1360, LogLevel.Information, "Retention: deleted {Jobs} finished jobs past their retention, with {Events} history entries, {Waits} waits and {Escalations} escalations, in {Batches} batches")]
    public static partial void RetentionPurged(ILogger logger, long jobs, long events, long waits, long escalations, int batches);

    [LoggerMessage(1361, LogLevel.Warning, "Job {JobId} ({Flow}) failed: {Error}")]
    public static partial void JobExceededMaxJobAge(ILogger logger, string jobId, string flow, string error);

    [LoggerMessage(1362, LogLevel.Error, "Retention purge or MaxJobAge check failed; retrying next interval")]
    public static partial void RetentionError(ILogger logger, Exception exception);
}
