using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Holds the maintenance leader lock for <see cref="MaintenanceLeader"/>: tries for it, and renews it while held, every
/// <see cref="SchedulerOptions.MaintenanceInterval"/> in a loop of its own, so that however long a maintenance pass takes (a
/// sweep of many leases, a slow store on a loaded machine) the lock is renewed on time and the lead does not move. The lock
/// lives three intervals.
/// </summary>
internal sealed class MaintenanceLease : IAsyncDisposable
{
    private const long NotHeld = -1;

    private readonly RuntimeServices _services;
    private readonly ILeaderLock _lock;
    private readonly WakeSignal _gained;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _leading;
    private long _heldSince = NotHeld;
    private long _terms;

    /// <param name="services">The scheduler's services (the store's lock, the interval, the clock).</param>
    /// <param name="gained">Set each time this scheduler gains the lead, so that the new leader's first pass runs at once.</param>
    public MaintenanceLease(RuntimeServices services, WakeSignal gained)
    {
        _services = services;
        _gained = gained;
        _lock = services.Coordination.CreateLeaderLock();
        _loop = Task.Run(() => HoldAsync(_stop.Token));
    }

    /// <summary>
    /// Whether this scheduler holds the lock: it won its last attempt, and that attempt's time-to-live has not run out since
    /// (a leader whose renewals stall stops saying it leads when another may already have taken over).
    /// </summary>
    public bool IsLeading
    {
        get
        {
            var since = Volatile.Read(ref _heldSince);
            return since != NotHeld && _services.Time.GetElapsedTime(since) < TimeToLive;
        }
    }

    /// <summary>How many times this scheduler has gained the lead: a new term starts each time.</summary>
    public long Term => Volatile.Read(ref _terms);

    private TimeSpan TimeToLive => _services.Config.MaintenanceInterval * 3;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    private async Task HoldAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var attempt = _services.Time.GetTimestamp();
                var leading = await _lock.TryHoldAsync(TimeToLive, stop).ConfigureAwait(false);
                Volatile.Write(ref _heldSince, leading ? attempt : NotHeld);
                if (leading != _leading)
                {
                    _leading = leading;
                    LogLeadership(leading);
                    if (leading)
                    {
                        Interlocked.Increment(ref _terms);
                        _gained.Set();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The lease must survive lock hiccups; it logs and tries again next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.MaintenanceError(_services.Logger, ex);
            }

            try
            {
                await Task.Delay(_services.Config.MaintenanceInterval, _services.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Volatile.Write(ref _heldSince, NotHeld);
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
