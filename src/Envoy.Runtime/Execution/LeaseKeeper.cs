namespace Envoy.Runtime.Execution;

/// <summary>
/// Renews the leases of the jobs running in one pool, every third of <see cref="SchedulerOptions.LeaseDuration"/>, on a thread
/// of its own. Not on the thread pool: a pool starved by handlers that block their threads (or by a cold process still
/// injecting threads) delayed every renewal until the lease ran out, and another worker then started the step a second
/// time while it still ran here. With the system clock the keeper waits with an OS wait on its thread (no timer callback,
/// which needs a pool thread); with another clock (a fake one in tests) it waits for that clock's timer.
/// A renewal that starts more than a third of the lease late is logged (<see cref="RuntimeLog.LeaseRenewalLate"/>).
/// </summary>
internal sealed class LeaseKeeper : IDisposable
{
    private readonly RuntimeServices _services;
    private readonly RunningJobs _running;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _tick = new(0, 1);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _interval;
    private long _worstLagTicks;

    public LeaseKeeper(RuntimeServices services, RunningJobs running)
    {
        _services = services;
        _running = running;
        _interval = services.Config.LeaseDuration / 3;
        var thread = new Thread(Run) { IsBackground = true, Name = "Envoy lease keeper" };
        thread.Start();
    }

    /// <summary>The latest any renewal started after it was due, since this keeper started.</summary>
    public TimeSpan WorstLag => TimeSpan.FromTicks(Interlocked.Read(ref _worstLagTicks));

    /// <summary>Stops renewing (every step of the pool has finished, been released or been abandoned) and waits for the thread to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _stopped.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_stopped.Task.IsCompleted)
        {
            _stop.Dispose();
            _tick.Dispose();
        }
    }

    private void Run()
    {
        var stop = _stop.Token;
        var time = _services.Time;
        var system = ReferenceEquals(time, TimeProvider.System);
        using var timer = system ? null : time.CreateTimer(static state => ((LeaseKeeper)state!).Tick(), this, _interval, _interval);
        try
        {
            var due = time.GetTimestamp() + ToTimestamp(_interval, time);
            while (true)
            {
                var wait = system ? TimeSpan.FromTicks(Math.Max(0, (long)((due - time.GetTimestamp()) * (double)TimeSpan.TicksPerSecond / time.TimestampFrequency))) : Timeout.InfiniteTimeSpan;
                if (wait != TimeSpan.Zero)
                {
                    _tick.Wait(wait, stop);
                }

                var lag = system ? time.GetElapsedTime(due) : TimeSpan.Zero;
                RecordLag(lag);
                RenewOnce(stop);
                // The next renewal is due a third of the lease after this one was: a late one is not followed by a burst.
                due = Math.Max(due + ToTimestamp(_interval, time), time.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private static long ToTimestamp(TimeSpan span, TimeProvider time) => (long)(span.TotalSeconds * time.TimestampFrequency);

    private void Tick()
    {
        try
        {
            if (_tick.CurrentCount == 0)
            {
                _tick.Release();
            }
        }
        catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
        {
            // A tick is already pending, or the keeper has stopped.
        }
    }

    private void RecordLag(TimeSpan lag)
    {
        if (lag.Ticks > Interlocked.Read(ref _worstLagTicks))
        {
            Interlocked.Exchange(ref _worstLagTicks, lag.Ticks);
        }

        if (lag > _interval)
        {
            RuntimeLog.LeaseRenewalLate(_services.Logger, lag, _services.Config.LeaseDuration);
        }
    }

    private void RenewOnce(CancellationToken stop)
    {
        var ids = _running.Ids();
        if (ids.Length == 0)
        {
            return;
        }

        IReadOnlyCollection<string> kept;
        try
        {
#pragma warning disable VSTHRD002 // This thread exists to wait for renewals: it must not depend on the thread pool's queue.
            kept = _services.Coordination.RenewLeasesAsync(_services.WorkerId, ids, _services.LeaseUntilMs, stop).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            RuntimeLog.LoopError(_services.Logger, ex);
            return;
        }

        if (kept.Count == ids.Length)
        {
            return;
        }

        var keptSet = kept.ToHashSet(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            // A job whose commit is in flight is left to that commit: a terminal one ends the job's lease as it should,
            // and a refused one ends the run here anyway.
            if (!keptSet.Contains(id) && _running.TryGet(id, out var job) && !job.Committing)
            {
                RuntimeLog.LeaseLost(_services.Logger, id);
                if (EnvoyInstruments.LeasesLost.Enabled)
                {
                    EnvoyInstruments.LeasesLost.Add(1, new KeyValuePair<string, object?>(EnvoyTelemetry.FlowTag, job.Flow));
                }

                job.Stop(JobStopReason.LeaseLost);
            }
        }
    }
}
