using Envoy.Runtime.Storage;
namespace Envoy.Runtime.Execution;

/// <summary>
/// The claim loop of one pool: waits for a free slot, claims a batch of jobs into the free slots (and, with a backlog of quick
/// jobs, some ahead of them: see <see cref="SchedulerOptions.ClaimAhead"/>) and hands them to the <see cref="JobRunner"/>; with
/// nothing to claim it sleeps until a wake-up (<see cref="Wake"/>), the next delayed job comes due, or the poll interval.
/// </summary>
internal sealed class JobDispatcher : IDisposable
{
    private readonly RuntimeServices _services;
    private readonly WorkerSlots _slots;
    private readonly RecentJobTime _jobTime;
    private readonly JobRunner _runner;
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stopClaiming = new();
    private Task _loop = Task.CompletedTask;
    private bool _lastClaimFilled;

    public JobDispatcher(RuntimeServices services, WorkerSlots slots, RecentJobTime jobTime, JobRunner runner)
    {
        _services = services;
        _slots = slots;
        _jobTime = jobTime;
        _runner = runner;
    }

    /// <summary>Starts the loop (once: after the wake-ups are subscribed, so that none is missed).</summary>
    public void Start() => _loop = Task.Run(DispatchAsync);

    /// <summary>Wakes the loop when it sleeps with nothing to claim (a job became ready, or something changed elsewhere).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Stops claiming and waits for the loop to end.</summary>
    public async Task StopAsync()
    {
        await _stopClaiming.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopClaiming.Dispose();

    private async Task DispatchAsync()
    {
        var stop = _stopClaiming.Token;
        var flows = _services.Flows;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                var slots = 1;
                while (slots < _services.Config.ClaimBatchSize && _slots.TryTake())
                {
                    slots++;
                }

                var want = slots + AheadToClaim(slots);
                IReadOnlyList<JobRecord> claimed;
                try
                {
                    var claimStarted = _services.Time.GetTimestamp();
                    claimed = flows.Names.Count == 0
                        ? []
                        : await _services.Coordination.ClaimAsync(new ClaimRequest(_services.WorkerId, want, _services.NowMs, _services.LeaseUntilMs, flows.Names) { FlowVersions = flows.Keys }, stop).ConfigureAwait(false);
                    EnvoyInstruments.RecordSince(EnvoyInstruments.ClaimDuration, _services.Time, claimStarted);
                }
                catch
                {
                    GiveSlots(slots);
                    throw;
                }

                _lastClaimFilled = claimed.Count == want;
                GiveSlots(slots - Math.Min(slots, claimed.Count));
                for (var i = 0; i < claimed.Count; i++)
                {
                    // The first jobs take the slots claimed for; the others wait here for the next slots to free.
                    _runner.Start(claimed[i], slotHeld: i < slots);
                }

                if (claimed.Count > 0)
                {
                    // The jobs just started are queued on this thread's local queue: give the thread to them rather than wait
                    // for another one to wake and steal them; this loop goes on from the pool's global queue.
                    await Task.Yield();
                }
                else
                {
                    await _wake.WaitAsync(await IdleTimeoutAsync(stop).ConfigureAwait(false), _services.Time, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The dispatcher must survive store hiccups; it logs and tries again after a pause.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.LoopError(_services.Logger, ex);
                try
                {
                    await _wake.WaitAsync(_services.Config.PollInterval, _services.Time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// How many jobs to claim beyond <paramref name="slots"/> free slots: only while the last claim found as many jobs as it
    /// asked for (a backlog) and jobs held their slot briefly of late, so that a job claimed ahead waits here no longer than a
    /// few quick jobs take, rather than idling while another worker could run it. At most a pool's worth wait at once.
    /// </summary>
    private int AheadToClaim(int slots)
    {
        var config = _services.Config;
        if (!_lastClaimFilled || !_jobTime.AtMost(config.ClaimAheadMaxJobTime))
        {
            return 0;
        }

        var room = Math.Min(config.ClaimAhead, config.Concurrency) - _slots.Waiting;
        return Math.Clamp(room, 0, config.ClaimBatchSize - slots);
    }

    private void GiveSlots(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _slots.Give();
        }
    }

    private async Task<TimeSpan> IdleTimeoutAsync(CancellationToken stop)
    {
        var poll = _services.Config.PollInterval;
        var now = _services.NowMs;
        var next = await _services.Coordination.NextDueAtAsync(now, stop).ConfigureAwait(false);
        if (next is null)
        {
            return poll;
        }

        var until = TimeSpan.FromMilliseconds(Math.Max(1, next.Value - now + 1));
        return until < poll ? until : poll;
    }
}
