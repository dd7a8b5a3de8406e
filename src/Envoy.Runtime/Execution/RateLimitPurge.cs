namespace Envoy.Runtime.Execution;

/// <summary>
/// Deletes the rate-limit usage that has left its window, and the idle scopes (a concurrency key seen once, a model no longer
/// called), on behalf of every process on the store: the maintenance leader runs it at most once per <see cref="Interval"/>.
/// A busy scope deletes its own old usage when it takes permits; this purge is for the scopes nobody asks any more.
/// </summary>
internal sealed class RateLimitPurge(RuntimeServices services)
{
    /// <summary>How often the leader purges (usage rows are small; a minute keeps an idle scope's rows for a window plus a minute at most).</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private long _nextMs = long.MinValue;

    /// <summary>Purges when <see cref="Interval"/> has passed since the last purge; a store error is logged and retried next time.</summary>
    public async Task PurgeIfDueAsync(CancellationToken cancellationToken)
    {
        var now = services.NowMs;
        if (services.Store.RateLimits is not { } limits || now < _nextMs)
        {
            return;
        }

        _nextMs = now + (long)Interval.TotalMilliseconds;
        try
        {
            await limits.PurgeRateLimitsAsync(now, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The purge is housekeeping: a failure must not stop the leader's other work.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.RateLimitPurgeFailed(services.Logger, ex);
        }
    }
}
