using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Fires the store's durable timers (sleeps, wait and escalation timeouts) while the scheduler is started: it sleeps until the
/// next due timer (a <see cref="TimeProvider"/> timer), woken sooner when a step committed here arms an earlier one, and looks
/// at the store at least every <see cref="SchedulerOptions.PollInterval"/> (the safety poll) for timers armed by other processes; then it
/// fires the due ones in batches of <see cref="BatchLimit"/>. Every started scheduler runs one: the store's
/// <see cref="Storage.IJobCoordinationStore.ResolveDueTimersAsync(long, int, CancellationToken)"/> fires each timer exactly once whichever fires it, so a
/// timer fires on time while any scheduler of the store runs, also right after another process died. With its
/// <see cref="EagerStarts"/> (eager starts on), each batch also starts here, in its own transaction, the jobs it makes pending
/// that this scheduler may run, up to its free worker slots (reserved for the batch, the unused ones given back after it):
/// no wake-up, no claim and no wait-resolution read per resumed job.
/// </summary>
internal sealed class TimerFiring : IAsyncDisposable
{
    /// <summary>The most timers one transaction fires (the next batch follows at once when there were more).</summary>
    internal const int BatchLimit = 500;

    /// <summary>How long to wait before looking again when a due timer was found but none was left to fire (fired elsewhere).</summary>
    private static readonly TimeSpan RaceBackoff = TimeSpan.FromMilliseconds(20);

    private readonly RuntimeServices _services;
    private readonly EagerStarts? _starts;
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _wakeAtMs = long.MaxValue;
    private long _armedMs = long.MaxValue;
    private int _stopped;

    public TimerFiring(RuntimeServices services, EagerStarts? starts = null)
    {
        _services = services;
        _starts = starts;
        services.Timers.Listen(Armed);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Stops firing and waits for the pass under way to end; again, does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _services.Timers.Listen(null);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private void Armed(long dueAtMs)
    {
        // Kept for the pass under way (its look at the store may have come before this commit), and a wake-up when it is
        // earlier than the one the loop sleeps until.
        var seen = Volatile.Read(ref _armedMs);
        while (dueAtMs < seen)
        {
            var previous = Interlocked.CompareExchange(ref _armedMs, dueAtMs, seen);
            if (previous == seen)
            {
                break;
            }

            seen = previous;
        }

        if (dueAtMs < Volatile.Read(ref _wakeAtMs))
        {
            _wake.Set();
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var interval = _services.Config.PollInterval;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                delay = await PassAsync(interval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Firing must survive store hiccups; it logs and tries again next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.TimerFiringError(_services.Logger, ex);
                delay = interval;
            }

            // Publish the wake-up time first, then take what was armed during the pass: a timer armed in between either wakes
            // the loop or is taken here, never missed.
            var now = _services.NowMs;
            var wakeAt = now + (long)Math.Ceiling(delay.TotalMilliseconds);
            Volatile.Write(ref _wakeAtMs, wakeAt);
            wakeAt = Math.Min(wakeAt, Interlocked.Exchange(ref _armedMs, long.MaxValue));
            if (wakeAt <= now)
            {
                Volatile.Write(ref _wakeAtMs, long.MinValue);
                continue;
            }

            delay = TimeSpan.FromMilliseconds(wakeAt - now);
            Volatile.Write(ref _wakeAtMs, wakeAt);
            try
            {
                await _wake.WaitAsync(delay, _services.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            finally
            {
                Volatile.Write(ref _wakeAtMs, long.MinValue);
            }
        }
    }

    /// <summary>Fires what is due; returns how long to wait before the next pass (zero: at once).</summary>
    private async Task<TimeSpan> PassAsync(TimeSpan interval, CancellationToken stop)
    {
        var next = await _services.Coordination.NextTimerDueAtAsync(stop).ConfigureAwait(false);
        var now = _services.NowMs;
        if (next is not { } due)
        {
            return interval;
        }

        if (due > now)
        {
            var untilDue = TimeSpan.FromMilliseconds(due - now);
            return untilDue < interval ? untilDue : interval;
        }

        var found = await FireAsync(now, stop).ConfigureAwait(false);
        if (found > 0)
        {
            RuntimeLog.TimersFired(_services.Logger, found);
            return TimeSpan.Zero;
        }

        return RaceBackoff;
    }

    /// <summary>
    /// Fires one batch; with eager starts, starts here the jobs it resumes in the worker slots free now (reserved for the batch:
    /// the store starts at most that many; the ones it did not use are given back).
    /// </summary>
    private async Task<int> FireAsync(long now, CancellationToken stop)
    {
        var flows = _services.Flows;
        var reserved = 0;
        if (_starts is not null && flows.Names.Count > 0)
        {
            while (reserved < BatchLimit && _starts.TryReserve())
            {
                reserved++;
            }
        }

        if (reserved == 0)
        {
            return await _services.Coordination.ResolveDueTimersAsync(now, BatchLimit, stop).ConfigureAwait(false);
        }

        FiredTimers fired;
        try
        {
            var start = new ClaimRequest(_services.WorkerId, reserved, now, _services.LeaseUntilMs, flows.Names) { FlowVersions = flows.Keys };
            fired = await _services.Coordination.ResolveDueTimersAsync(now, BatchLimit, start, stop).ConfigureAwait(false);
        }
        catch
        {
            for (var i = 0; i < reserved; i++)
            {
                _starts!.Cancel();
            }

            throw;
        }

        var started = Math.Min(reserved, fired.Started.Count);
        for (var i = 0; i < started; i++)
        {
            _starts!.Start(fired.Started[i]);
        }

        for (var i = started; i < reserved; i++)
        {
            _starts!.Cancel();
        }

        if (started > 0)
        {
            RuntimeLog.TimerJobsStarted(_services.Logger, started);
        }

        return fired.Taken;
    }
}
