using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1440, LogLevel.Debug, "Job {JobId} of flow '{Flow}' waits for its rate limit ({Limit}): next start at {RetryAt:O}")]
    public static partial void RateLimited(ILogger logger, string jobId, string flow, RateLimit limit, DateTimeOffset retryAt);

    [LoggerMessage(1441, LogLevel.Warning, "The rate limit of flow '{Flow}' could not be checked for job {JobId}; the job goes back to pending for {Delay}")]
    public static partial void RateLimitUnavailable(ILogger logger, Exception exception, string flow, string jobId, TimeSpan delay);

    [LoggerMessage(1442, LogLevel.Warning, "The rate-limit purge failed; it runs again at the next maintenance pass")]
    public static partial void RateLimitPurgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(1540, LogLevel.Trace, "Took a block of {Permits} permits of rate-limit scope '{Scope}', spendable until {Until:O}")]
    public static partial void RateLimitBlockTaken(ILogger logger, string scope, int permits, DateTimeOffset until);

    [LoggerMessage(1541, LogLevel.Debug, "Reserving the next block of rate-limit scope '{Scope}' ahead failed; the next refill asks again")]
    public static partial void RateLimitPrefetchFailed(ILogger logger, Exception exception, string scope);
}
