using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1320, LogLevel.Information, "Recurring schedule '{RecurringId}' fired for {Occurrence:O}: job {JobId} (next {Next})")]
    public static partial void RecurringFired(ILogger logger, string recurringId, DateTimeOffset occurrence, string jobId, string next);

    [LoggerMessage(1321, LogLevel.Information, "Recurring schedule '{RecurringId}' missed occurrences from {Missed:O}; one run for the latest, {Occurrence:O}")]
    public static partial void RecurringCaughtUp(ILogger logger, string recurringId, DateTimeOffset missed, DateTimeOffset occurrence);

    [LoggerMessage(1322, LogLevel.Debug, "Recurring schedule '{RecurringId}' is due but this scheduler ({WorkerId}) does not have flow '{Flow}'; another process fires it")]
    public static partial void RecurringFlowMissing(ILogger logger, string recurringId, string workerId, string flow);

    [LoggerMessage(1323, LogLevel.Error, "Recurring schedule '{RecurringId}' could not fire")]
    public static partial void RecurringFailed(ILogger logger, Exception exception, string recurringId);

    [LoggerMessage(1324, LogLevel.Error, "The recurring trigger's pass failed; it tries again")]
    public static partial void RecurringPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(1325, LogLevel.Information, "Recurring schedule '{RecurringId}' triggered by hand: job {JobId}")]
    public static partial void RecurringTriggered(ILogger logger, string recurringId, string jobId);
}
