using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1380, LogLevel.Warning, "Job {JobId} reported progress of {Length} JSON characters, more than the limit of {Limit}; the report is not sent (further refused reports of this job are not logged)")]
    public static partial void ProgressTooLarge(ILogger logger, string jobId, int length, int limit);

    [LoggerMessage(1381, LogLevel.Warning, "Job {JobId} reported progress that cannot be serialized to JSON; the report is not sent (further refused reports of this job are not logged)")]
    public static partial void ProgressUnserializable(ILogger logger, Exception exception, string jobId);
}
