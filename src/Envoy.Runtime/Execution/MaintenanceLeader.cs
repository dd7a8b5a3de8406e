using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Runs the store's maintenance while this scheduler holds the maintenance leader lock (one started scheduler among all that
/// share the store): every <see cref="SchedulerOptions.MaintenanceInterval"/>, and at the moment the next delayed job comes due,
/// it puts jobs with expired leases back to pending and wakes idle workers everywhere; it also warns about unserved jobs and
/// purges idle rate-limit usage (<see cref="RateLimitPurge"/>). The other schedulers keep trying for the
/// lock, so a new leader takes over within the lock's time-to-live (three intervals) when the leader dies.
/// Claims still take expired leases and due jobs by themselves: maintenance makes recovery prompt and visible, not possible.
/// </summary>
internal sealed class MaintenanceLeader : IAsyncDisposable
{
    /// <summary>The most expired leases one pass puts back (the next pass follows at once when there were more).</summary>
    internal const int PassLimit = 1000;

    private const long NotHeld = -1;

    private readonly RuntimeServices _services;
    private readonly ILeaderLock _lock;
    private readonly UnservedJobsMonitor _unserved;
    private readonly RateLimitPurge _rateLimits;
    private readonly RetentionPurge _retention;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _leading;
    private long _heldSince = NotHeld;

    public MaintenanceLeader(RuntimeServices services)
    {
        _services = services;
        _lock = services.Coordination.CreateLeaderLock();
        _unserved = new UnservedJobsMonitor(services);
        _rateLimits = new RateLimitPurge(services);
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _retention = RetentionPurge.Start(services, () => IsLeading);
    }

    /// <summary>
    /// Whether this scheduler holds the lock: it won its last attempt, and that attempt's time-to-live has not run out since
    /// (a leader whose loop stalls stops saying it leads when another may already have taken over).
    /// </summary>
    public bool IsLeading
    {
        get
        {
            var since = Volatile.Read(ref _heldSince);
            return since != NotHeld && _services.Time.GetElapsedTime(since) < TimeToLive;
        }
    }

    private TimeSpan TimeToLive => _services.Config.MaintenanceInterval * 3;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _retention.DisposeAsync().ConfigureAwait(false);
        try
        {
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _lock.ReleaseAsync(release.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Releasing is a courtesy: an unreleased lock expires by itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        await _lock.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var interval = _services.Config.MaintenanceInterval;
        var since = 0L; // the first pass of a new leader wakes workers for every job already due (the old leader may have died first)
        while (!stop.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                var attempt = _services.Time.GetTimestamp();
                var leading = await _lock.TryHoldAsync(TimeToLive, stop).ConfigureAwait(false);
                Volatile.Write(ref _heldSince, leading ? attempt : NotHeld);
                if (leading != _leading)
                {
                    _leading = leading;
                    LogLeadership(leading);
                    since = 0;
                }

                if (leading)
                {
                    (delay, since) = await PassAsync(interval, since, stop).ConfigureAwait(false);

                    // The leader alone warns about jobs no live worker serves (the store's registry of workers answers for all).
                    await _unserved.CheckAsync(stop).ConfigureAwait(false);
                    await _rateLimits.PurgeIfDueAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Maintenance must survive store and lock hiccups; it logs and tries again next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.MaintenanceError(_services.Logger, ex);
            }

            try
            {
                await Task.Delay(delay, _services.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Volatile.Write(ref _heldSince, NotHeld);
    }

    /// <summary>One pass; returns how long to wait before the next one and the time this pass covered up to.</summary>
    private async Task<(TimeSpan Delay, long Since)> PassAsync(TimeSpan interval, long since, CancellationToken stop)
    {
        var now = _services.NowMs;
        var result = await _services.Coordination.RunMaintenanceAsync(since, now, PassLimit, stop).ConfigureAwait(false);
        if (result.ExpiredLeases.Count > 0)
        {
            RuntimeLog.LeasesExpired(_services.Logger, result.ExpiredLeases.Count, string.Join(", ", result.ExpiredLeases.Take(20)));
        }

        if (result.ExpiredLeases.Count >= PassLimit)
        {
            return (TimeSpan.Zero, now);
        }

        var next = await _services.Coordination.NextDueAtAsync(now, stop).ConfigureAwait(false);
        var untilNext = next is { } due ? TimeSpan.FromMilliseconds(Math.Max(1, due - now)) : interval;
        return (untilNext < interval ? untilNext : interval, now);
    }

    private void LogLeadership(bool leading)
    {
        if (leading)
        {
            RuntimeLog.MaintenanceLeading(_services.Logger, _services.WorkerId, _lock.Description);
        }
        else
        {
            RuntimeLog.MaintenanceNotLeading(_services.Logger, _services.WorkerId);
        }
    }
}
