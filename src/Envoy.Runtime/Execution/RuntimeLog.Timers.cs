using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>The log messages of durable timers (<see cref="TimerFiring"/>): event ids 1300-1319 and 1580-1589.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1300, LogLevel.Error, "Envoy timer firing failed; retrying")]
    public static partial void TimerFiringError(ILogger logger, Exception exception);

    [LoggerMessage(1301, LogLevel.Debug, "{Count} due timers found and fired (those another scheduler fired first are skipped)")]
    public static partial void TimersFired(ILogger logger, int count);

    [LoggerMessage(1580, LogLevel.Debug, "{Count} jobs resumed by fired timers started here in the firing's transaction")]
    public static partial void TimerJobsStarted(ILogger logger, int count);
}
