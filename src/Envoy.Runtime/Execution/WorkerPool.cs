using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The workers of one scheduler while it is started: a dispatcher that claims batches of jobs into free slots (and, with a
/// backlog of quick jobs, some ahead of them: see <see cref="SchedulerOptions.ClaimAhead"/>), one task per claimed job that runs
/// its steps and commits each through the <see cref="CommitBatcher"/>, and a <see cref="LeaseKeeper"/> on a thread of its own.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long steps signalled at the stop deadline have to end before they are abandoned.</summary>
    internal static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(2);

    private readonly RuntimeServices _services;
    private readonly StepPlanner _planner;
    private readonly CommitBatcher _batcher;
    private readonly WorkerSlots _slots;
    private readonly RecentJobTime _jobTime = new();

    /// <summary>Permits for jobs whose last commit is being written after they gave their slot back (see <see cref="RunAsync"/>).</summary>
    private readonly SemaphoreSlim _lastCommits;
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stopClaiming = new();
    private readonly ConcurrentDictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly IDisposable _subscription;
    private readonly Task _dispatcher;
    private readonly LeaseKeeper _leaseKeeper;
    private readonly Lock _eagerLock = new();
    private int _eagerStarts;
    private TaskCompletionSource? _eagerDrained;
    private bool _lastClaimFilled;

    public WorkerPool(RuntimeServices services)
    {
        _services = services;
        _planner = new StepPlanner(services);
        _batcher = new CommitBatcher(services.Store, services.Config.CommitBatchSize);
        _slots = new WorkerSlots(services.Config.Concurrency);
        _lastCommits = new SemaphoreSlim(services.Config.Concurrency, services.Config.Concurrency);
        _subscription = services.Store.Signals.Subscribe(signal =>
        {
            if (signal.Kind is JobSignalKind.Ready or JobSignalKind.Changed)
            {
                _wake.Set();
            }
            else if (signal is { Kind: JobSignalKind.Finished, JobId: { } id } && _running.TryGetValue(id, out var job))
            {
                // Ended elsewhere while its step runs here (cancelled with an ancestor, failed by hand, by another scheduler):
                // signal the step now rather than at the next lease renewal. After this worker's own terminal commit it is a no-op.
                job.Stop(JobStopReason.Cancelled);
            }
        });
        _dispatcher = Task.Run(DispatchAsync);
        _leaseKeeper = new LeaseKeeper(services, _running);
    }

    /// <summary>Signals the step of a job running here (cancelled or failed by hand).</summary>
    public void Signal(string jobId, JobStopReason reason)
    {
        if (_running.TryGetValue(jobId, out var job))
        {
            job.Stop(reason);
        }
    }

    /// <summary>
    /// Takes a free slot for a job about to be inserted already claimed by this worker (eager start); false when every slot is
    /// busy or the pool is stopping. Follow it with <see cref="StartEager"/> or <see cref="CancelEager"/>.
    /// </summary>
    public bool TryReserveEager()
    {
        lock (_eagerLock)
        {
            if (_eagerDrained is not null || !_slots.TryTake())
            {
                return false;
            }

            _eagerStarts++;
            return true;
        }
    }

    /// <summary>Runs a job inserted already claimed, in the slot taken by <see cref="TryReserveEager"/>.</summary>
    public void StartEager(JobRecord record)
    {
        Start(record);
        EndEager();
    }

    /// <summary>Gives back the slot of an eager start that did not happen (the insert failed, or found an existing job).</summary>
    public void CancelEager()
    {
        _slots.Give();
        EndEager();
    }

    private void EndEager()
    {
        lock (_eagerLock)
        {
            if (--_eagerStarts == 0)
            {
                _eagerDrained?.TrySetResult();
            }
        }
    }

    /// <summary>Stops claiming, lets running steps finish until <paramref name="deadline"/>, then signals them and gives their jobs back.</summary>
    public async Task StopAsync(CancellationToken deadline)
    {
        _subscription.Dispose();
        await _stopClaiming.CancelAsync().ConfigureAwait(false);
        await _dispatcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // Jobs claimed ahead that have not started go back to the queue at once, for any worker.
        _slots.StopWaiting();
        Task eagerDrained;
        lock (_eagerLock)
        {
            // No eager start is reserved from now on; those reserved already are started (or cancelled) within one insert.
            _eagerDrained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_eagerStarts == 0)
            {
                _eagerDrained.TrySetResult();
            }

            eagerDrained = _eagerDrained.Task;
        }

        await eagerDrained.WaitAsync(deadline).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            foreach (var job in _running.Values)
            {
                job.Stop(JobStopReason.Stopping);
            }

            await ReleaseOrAbandonAsync().ConfigureAwait(false);
        }

        // Leases are renewed until the last step has finished, been released or been abandoned: a step that finishes during
        // a graceful stop must not lose its job to another worker meanwhile.
        await _leaseKeeper.StopAsync().ConfigureAwait(false);
        await _batcher.StopAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// After the deadline: gives the signalled steps <see cref="AbandonGrace"/> to end and give their jobs back; those still
    /// running then ignore their cancellation and are abandoned (logged): the pool stops without them and stops renewing their
    /// leases, so their jobs are taken over when the leases expire. Should such a step end later, its commit is refused.
    /// </summary>
    private async Task ReleaseOrAbandonAsync()
    {
        // Real time on purpose: the grace is for threads to run, and a test's fake clock would never end it.
        var all = Task.WhenAll(_tasks.Keys);
        await all.WaitAsync(AbandonGrace, TimeProvider.System).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (all.IsCompleted)
        {
            return;
        }

        var abandoned = _running.Values.Where(job => !job.Committing).Select(job => job.Id).ToArray();
        RuntimeLog.StepsAbandoned(_services.Logger, abandoned.Length, string.Join(", ", abandoned.Take(20)));
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _stopClaiming.Dispose();
        _leaseKeeper.Dispose();
        if (_tasks.IsEmpty)
        {
            // An abandoned step still gives its slot back when it ends.
            _slots.Dispose();
            _lastCommits.Dispose();
        }
    }

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
                    claimed = flows.Names.Count == 0
                        ? []
                        : await _services.Store.ClaimAsync(new ClaimRequest(_services.WorkerId, want, _services.NowMs, _services.LeaseUntilMs, flows.Names), stop).ConfigureAwait(false);
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
                    Start(claimed[i], slotHeld: i < slots);
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
        var next = await _services.Store.NextDueAtAsync(now, stop).ConfigureAwait(false);
        if (next is null)
        {
            return poll;
        }

        var until = TimeSpan.FromMilliseconds(Math.Max(1, next.Value - now + 1));
        return until < poll ? until : poll;
    }

    private void Start(JobRecord record, bool slotHeld = true)
    {
        _services.Flows.TryGet(record.Flow, out _, out var options);
        var job = new RunningJob(record, options?.MaxRetries ?? _services.Config.MaxRetries);
        _running[job.Id] = job;
        var task = Task.Run(() => RunAsync(job, record, slotHeld));
        _tasks[task] = 0;
        task.ContinueWith(
            (t, state) =>
            {
                var pool = (WorkerPool)state!;
                pool._tasks.TryRemove(t, out _);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Forget();
    }

    /// <summary>
    /// Runs the job's steps in its slot, each committed before the next starts. The slot counts handlers that run at once: when
    /// the step just run ends the run here (the job finishes, blocks, waits for a retry or goes back), the slot is given back
    /// as its commit is queued, so the next job's claim and start overlap this commit, for which a permit of as many again is
    /// held instead (with none left, the slot is kept until the commit is written). A job claimed ahead
    /// (<paramref name="slotHeld"/> false) first waits for a slot; signalled meanwhile, it never starts, and when the pool is
    /// stopping it goes back to the queue.
    /// </summary>
    private async Task RunAsync(RunningJob job, JobRecord record, bool slotHeld)
    {
        var lastCommitHeld = false;
        var slotSince = _services.Time.GetTimestamp();
        try
        {
            var context = JobMapper.ContextOf(record);
            var flow = _services.Flows.Get(job.Flow);
            if (!slotHeld)
            {
                if (!await _slots.WaitForHandoffAsync(job).ConfigureAwait(false))
                {
                    if (job.StopReason == JobStopReason.Stopping)
                    {
                        await CommitAsync(job, _planner.Released(job, context), context).ConfigureAwait(false);
                    }

                    return;
                }

                slotHeld = true;
                slotSince = _services.Time.GetTimestamp();
            }

            if (record.Takeovers >= _services.Config.MaxAttempts)
            {
                // Its step took its worker down every time (or its leases kept expiring): it is not run again.
                await CommitAsync(job, _planner.TakenOverTooOften(job, context, record.Takeovers), context).ConfigureAwait(false);
                return;
            }

            while (true)
            {
                var planned = await RunStepAsync(job, flow, context).ConfigureAwait(false);
                if (planned is not null && planned.Commit.Status != JobStatus.Running && await _lastCommits.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
                {
                    slotHeld = false;
                    lastCommitHeld = true;
                    GiveSlotOfRun(slotSince);
                }

                if (planned is null || !await CommitAsync(job, planned, context).ConfigureAwait(false))
                {
                    return;
                }

                if (planned.Commit.Status != JobStatus.Running)
                {
                    return;
                }

                context = planned.After;
            }
        }
        finally
        {
            // Only this run's entry: the job may already have been claimed again (unblocked, retried, taken over) and started anew.
            _running.TryRemove(new KeyValuePair<string, RunningJob>(job.Id, job));
            job.Dispose();
            if (slotHeld)
            {
                GiveSlotOfRun(slotSince);
            }
            else if (lastCommitHeld)
            {
                _lastCommits.Release();
            }
        }
    }

    private void GiveSlotOfRun(long since)
    {
        _jobTime.Add(_services.Time.GetElapsedTime(since));
        _slots.Give();
    }

    private async Task<PlannedCommit?> RunStepAsync(RunningJob job, StateFlow flow, StateContext before)
    {
        var token = job.Cancellation.Token;
        var started = _services.Time.GetTimestamp();
        if (_services.Events.HasObservers)
        {
            _services.Events.Publish(new StepStartedEvent(job.Id, JobMapper.FromMs(_services.NowMs), job.Flow, before.State, before.Step));
        }

        try
        {
            if (before.Done is not null)
            {
                return _planner.Failed(job, before, before.Error ?? $"The job's context already ended ({before.Done}).", null, TimeSpan.Zero);
            }

            var after = await flow.StepAsync(before, token).ConfigureAwait(false);
            return _planner.Completed(job, before, after, _services.Time.GetElapsedTime(started));
        }
#pragma warning disable CA1031 // Whatever a signalled step throws, the signal decides: release on stop, drop on cancel.
        catch (Exception) when (token.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return job.StopReason == JobStopReason.Stopping ? _planner.Released(job, before) : null;
        }
#pragma warning disable CA1031 // Any failure of user code fails the step; the job is retried or failed, never lost.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            var message = ex is StateFlowException { InnerException: { } inner } ? inner.Message : ex.Message;
            // A wait registered while routing is a bug of the flow: every run would repeat it, so the job fails at once.
            var retryable = ex is not StateFlowException { InnerException: WaitOutsideHandlerException };
            return _planner.Failed(job, before, message, ex, _services.Time.GetElapsedTime(started), retryable);
        }
    }

    /// <summary>
    /// Writes a planned commit; true when it was applied. A commit the store refused for its data fails the job at once from
    /// <paramref name="before"/> (its last committed context) with the store's reason, and the run ends.
    /// </summary>
    private async Task<bool> CommitAsync(RunningJob job, PlannedCommit planned, StateContext before)
    {
        var result = await WriteCommitAsync(job, planned).ConfigureAwait(false);
        if (result.RefusedReason is { } reason)
        {
            RuntimeLog.CommitRefusedByStore(_services.Logger, job.Id, reason);
            // Once only (a failure from the last committed context holds nothing new for the store to refuse); should that be
            // refused as well, the job is left to lease expiry, and MaxAttempts ends it.
            var duration = planned.Commit.Events.Count > 0 ? planned.Commit.Events[0].Duration ?? TimeSpan.Zero : TimeSpan.Zero;
            await WriteCommitAsync(job, _planner.FailedAtOnce(job, before, reason, duration)).ConfigureAwait(false);
            return false;
        }

        return result.Applied;
    }

    private async Task<CommitResult> WriteCommitAsync(RunningJob job, PlannedCommit planned)
    {
        CommitResult result;
        job.Committing = true;
        try
        {
            // The events are raised by the batcher the moment the commit is applied, before any later step of the job can
            // commit (they share the batcher): a job's events come out in the order its steps committed.
            // A commit that ends its job may cancel descendants (children scheduled with a ParentId): each raises its event too.
            result = await _batcher.CommitAsync(
                planned.Commit,
                planned.Events.Count == 0 && !planned.Commit.Status.IsTerminal() ? null : applied => PublishAll(planned, applied)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A commit that cannot be written leaves the job to lease expiry and takeover.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.CommitFailed(_services.Logger, ex, job.Id);
            return CommitResult.Stale;
        }
        finally
        {
            // After any other commit the run ends: the job stays "committing" until it leaves the running set.
            job.Committing = planned.Commit.Status != JobStatus.Running;
        }

        if (result.Applied)
        {
            job.Version++;
            job.HasResolutions = false;
        }
        else if (!result.IsRefused)
        {
            RuntimeLog.CommitRefused(_services.Logger, job.Id);
        }

        return result;
    }

    private void PublishAll(PlannedCommit planned, CommitResult applied)
    {
        foreach (var e in planned.Events)
        {
            _services.Events.Publish(e);
        }

        CascadeEvents.Publish(_services.Events, planned.Commit.JobId, planned.Commit.Status, applied.Cascaded, _services.Time.GetUtcNow());
    }
}

/// <summary>Fire-and-forget for continuations that cannot fail.</summary>
internal static class TaskExtensions
{
    public static void Forget(this Task task) => _ = task;
}
