namespace Envoy.Runtime.Execution;

/// <summary>
/// Runs the store's maintenance while this scheduler holds the maintenance leader lock (one started scheduler among all that
/// share the store): every <see cref="SchedulerOptions.MaintenanceInterval"/>, and at the moment the next delayed job comes due,
/// it puts jobs with expired leases back to pending and wakes idle workers everywhere; it also warns about unserved jobs and
/// purges idle rate-limit usage (<see cref="RateLimitPurge"/>). The lock is held and renewed by <see cref="MaintenanceLease"/> in
/// its own loop, so a long pass does not lose it. The other schedulers keep trying for the lock, so a new leader takes over
/// within the lock's time-to-live (three intervals) when the leader dies.
/// Claims still take expired leases and due jobs by themselves: maintenance makes recovery prompt and visible, not possible.
/// </summary>
internal sealed class MaintenanceLeader : IAsyncDisposable
{
    /// <summary>The most expired leases one pass puts back (the next pass follows at once when there were more).</summary>
    internal const int PassLimit = 1000;

    private readonly RuntimeServices _services;
    private readonly WakeSignal _gained = new();
    private readonly MaintenanceLease _lease;
    private readonly UnservedJobsMonitor _unserved;
    private readonly RateLimitPurge _rateLimits;
    private readonly RetentionPurge _retention;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MaintenanceLeader(RuntimeServices services)
    {
        _services = services;
        _lease = new MaintenanceLease(services, _gained);
        _unserved = new UnservedJobsMonitor(services);
        _rateLimits = new RateLimitPurge(services);
        _loop = Task.Run(() => RunAsync(_stop.Token));
        _retention = RetentionPurge.Start(services, () => IsLeading);
    }

    /// <summary>Whether this scheduler holds the maintenance leader lock (<see cref="MaintenanceLease.IsLeading"/>).</summary>
    public bool IsLeading => _lease.IsLeading;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _retention.DisposeAsync().ConfigureAwait(false);
        await _lease.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var interval = _services.Config.MaintenanceInterval;
        var since = 0L;
        var term = 0L;
        while (!stop.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                if (_lease.IsLeading)
                {
                    if (_lease.Term != term)
                    {
                        // The first pass of a new term wakes workers for every job already due (the old leader may have died first).
                        term = _lease.Term;
                        since = 0;
                    }

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
                // Until the next pass is due, or at once when this scheduler gains the lead.
                await _gained.WaitAsync(delay, _services.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
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
}
