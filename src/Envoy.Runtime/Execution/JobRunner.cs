using Envoy.Runtime.Execution.Events;
using Envoy.Runtime.Storage;
namespace Envoy.Runtime.Execution;

/// <summary>
/// Runs the jobs of one pool, one task per job: each step in the job's slot, planned by the <see cref="StepPlanner"/> and
/// committed by the <see cref="JobCommitter"/> before the next starts.
/// </summary>
internal sealed class JobRunner : IDisposable
{
    private readonly RuntimeServices _services;
    private readonly WorkerSlots _slots;
    private readonly RecentJobTime _jobTime;
    private readonly RunningJobs _running;
    private readonly StepPlanner _planner;
    private readonly JobCommitter _committer;
    private readonly RateLimitGate _rateLimits;
    private readonly StoreSharedLimits? _sharedLimits;

    /// <summary>Permits for jobs whose last commit is being written after they gave their slot back (see <see cref="RunAsync"/>).</summary>
    private readonly SemaphoreSlim _lastCommits;

    public JobRunner(RuntimeServices services, WorkerSlots slots, RecentJobTime jobTime, RunningJobs running, CommitBatcher batcher)
    {
        _services = services;
        _slots = slots;
        _jobTime = jobTime;
        _running = running;
        _planner = new StepPlanner(services);
        _committer = new JobCommitter(services, batcher, _planner);
        _rateLimits = new RateLimitGate(services, _planner);
        _sharedLimits = services.Store.RateLimits is { } limits ? new StoreSharedLimits(limits, services.Time) : null;
        _lastCommits = new SemaphoreSlim(services.Config.Concurrency, services.Config.Concurrency);
    }

    /// <summary>
    /// Starts running a claimed job on the thread pool: in the slot taken for it (<paramref name="slotHeld"/>), or, for a job
    /// claimed ahead, once a slot is handed to it.
    /// </summary>
    public void Start(JobRecord record, bool slotHeld = true)
    {
        var options = _services.Flows.TryGet(record.Flow, record.FlowVersion)?.Options;
        var job = new RunningJob(record, options?.MaxRetries ?? _services.Config.MaxRetries);
        _running.Add(job);
        _running.Track(Task.Run(() => RunAsync(job, record, slotHeld)));
    }

    public void Dispose() => _lastCommits.Dispose();

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
        using var progress = new JobProgressReporter(_services, job.Id, job.Flow);
        try
        {
            var context = JobMapper.ContextOf(record);
            var registered = _services.Flows.TryGet(job.Flow, record.FlowVersion);
            if (!slotHeld)
            {
                if (!await _slots.WaitForHandoffAsync(job).ConfigureAwait(false))
                {
                    if (job.StopReason == JobStopReason.Stopping)
                    {
                        await _committer.CommitAsync(job, _planner.Released(job, context), context).ConfigureAwait(false);
                    }

                    return;
                }

                slotHeld = true;
                slotSince = _services.Time.GetTimestamp();
            }

            if (record.Takeovers >= _services.Config.MaxAttempts)
            {
                // Its step took its worker down every time (or its leases kept expiring): it is not run again.
                await _committer.CommitAsync(job, _planner.TakenOverTooOften(job, context, record.Takeovers), context).ConfigureAwait(false);
                return;
            }

            if (FlowVersionCheck.Problem(_services.Flows, record, registered, context) is { } problem)
            {
                // Its version, or its state in that version, is not here: no handler can run it, now or on a retry.
                RuntimeLog.JobVersionMissing(_services.Logger, job.Id, job.Flow, record.FlowVersion, problem);
                await _committer.CommitAsync(job, _planner.Failed(job, context, problem, null, TimeSpan.Zero, retryable: false), context).ConfigureAwait(false);
                return;
            }

            var flow = registered!.Flow;
            var rateLimit = registered.Options?.RateLimit;
            while (true)
            {
                // A flow with a rate limit takes a permit before each step; refused, the job goes back to pending (no step runs).
                var planned = (rateLimit is null ? null : await _rateLimits.TakeAsync(job, rateLimit, context).ConfigureAwait(false))
                    ?? await RunStepAsync(job, flow, context, progress).ConfigureAwait(false);
                if (planned is not null && planned.Commit.Status != JobStatus.Running && await _lastCommits.WaitAsync(0, CancellationToken.None).ConfigureAwait(false))
                {
                    slotHeld = false;
                    lastCommitHeld = true;
                    GiveSlotOfRun(slotSince);
                }

                if (planned is null || !await _committer.CommitAsync(job, planned, context).ConfigureAwait(false))
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
            _running.Remove(job);
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

    private async Task<PlannedCommit?> RunStepAsync(RunningJob job, StateFlow flow, StateContext before, JobProgressReporter progress)
    {
        var started = _services.Time.GetTimestamp();
        var activity = StepTelemetry.Start(job, before);
        PlannedCommit? planned = null;
        var released = false;
        string? error = null;
        try
        {
            (planned, released, error) = await PlanStepAsync(job, flow, before, progress, started).ConfigureAwait(false);
            return planned;
        }
        finally
        {
            StepTelemetry.Stop(activity, job, StepTelemetry.OutcomeOf(planned, released), _services.Time.GetElapsedTime(started), error ?? planned?.Commit.Error);
        }
    }

    /// <summary>Runs one step and plans its commit; also says whether it was released (the pool stops) and its error, if any.</summary>
    private async Task<(PlannedCommit? Planned, bool Released, string? Error)> PlanStepAsync(RunningJob job, StateFlow flow, StateContext before, JobProgressReporter progress, long started)
    {
        var token = job.Cancellation.Token;
        if (_services.Events.HasObservers)
        {
            _services.Events.Publish(new StepStartedEvent(job.Id, JobMapper.FromMs(_services.NowMs), job.Flow, before.State, before.Step));
        }

        try
        {
            if (before.Done is not null)
            {
                return (_planner.Failed(job, before, before.Error ?? $"The job's context already ended ({before.Done}).", null, TimeSpan.Zero), false, null);
            }

            before.ProgressReporter = progress;
            before.SharedLimits = _sharedLimits;
            StateContext after;
            try
            {
                after = await flow.StepAsync(before, token).ConfigureAwait(false);
            }
            finally
            {
                progress.Flush(); // the step's last report goes out before the step's own events
            }

            return (_planner.Completed(job, before, after, _services.Time.GetElapsedTime(started)), false, null);
        }
#pragma warning disable CA1031 // Whatever a signalled step throws, the signal decides: release on stop, drop on cancel.
        catch (Exception) when (token.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return job.StopReason == JobStopReason.Stopping ? (_planner.Released(job, before), true, null) : (null, false, null);
        }
#pragma warning disable CA1031 // Any failure of user code fails the step; the job is retried or failed, never lost.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            var message = ex is StateFlowException { InnerException: { } inner } ? inner.Message : ex.Message;
            // A wait registered while routing is a bug of the flow: every run would repeat it, so the job fails at once.
            var retryable = ex is not StateFlowException { InnerException: WaitOutsideHandlerException };
            return (_planner.Failed(job, before, message, ex, _services.Time.GetElapsedTime(started), retryable), false, message);
        }
    }
}
