using Envoy.Runtime.Storage;
using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The workers of one scheduler while it is started, composed of: a <see cref="JobDispatcher"/> that claims batches of jobs
/// into free <see cref="WorkerSlots"/>, a <see cref="JobRunner"/> that runs each claimed job on a task of its own and commits
/// its steps through the <see cref="CommitBatcher"/>, the <see cref="EagerStarts"/> of jobs scheduled here to run now, a
/// <see cref="LeaseKeeper"/> on a thread of its own that renews the leases of the <see cref="RunningJobs"/>, and the
/// <see cref="TimerFiring"/> of the store's durable timers.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly WorkerSlots _slots;
    private readonly CommitBatcher _batcher;
    private readonly RunningJobs _running;
    private readonly JobRunner _runner;
    private readonly JobDispatcher _dispatcher;
    private readonly EagerStarts _eager;
    private readonly IDisposable _subscription;
    private readonly LeaseKeeper _leaseKeeper;
    private readonly TimerFiring _timers;

    public WorkerPool(RuntimeServices services)
    {
        _running = new RunningJobs(services.Logger);
        _slots = new WorkerSlots(services.Config.Concurrency);
        _batcher = new CommitBatcher(services.Writes, services.Config.CommitBatchSize, services.Time, services.Coordination.Signals);
        var jobTime = new RecentJobTime();
        _runner = new JobRunner(services, _slots, jobTime, _running, _batcher);
        _dispatcher = new JobDispatcher(services, _slots, jobTime, _runner);
        _eager = new EagerStarts(_slots, _runner);
        _subscription = services.Coordination.Signals.Subscribe(signal =>
        {
            if (signal.Kind is JobSignalKind.Ready or JobSignalKind.Changed)
            {
                _dispatcher.Wake();
            }
            else if (signal is { Kind: JobSignalKind.Finished, JobId: { } id })
            {
                // Ended elsewhere while its step runs here (cancelled with an ancestor, failed by hand, by another scheduler):
                // signal the step now rather than at the next lease renewal. After this worker's own terminal commit it is a no-op.
                _running.Signal(id, JobStopReason.Cancelled);
            }
        });
        _dispatcher.Start();
        _leaseKeeper = new LeaseKeeper(services, _running);
        _timers = new TimerFiring(services, services.Config.EagerStart ? _eager : null);
    }

    /// <summary>Signals the step of a job running here (cancelled or failed by hand).</summary>
    public void Signal(string jobId, JobStopReason reason) => _running.Signal(jobId, reason);

    /// <summary>
    /// Takes a free slot for a job about to be inserted already claimed by this worker (eager start); false when every slot is
    /// busy or the pool is stopping. Follow it with <see cref="StartEager"/> or <see cref="CancelEager"/>.
    /// </summary>
    public bool TryReserveEager() => _eager.TryReserve();

    /// <summary>Runs a job inserted already claimed, in the slot taken by <see cref="TryReserveEager"/>.</summary>
    public void StartEager(JobRecord record) => _eager.Start(record);

    /// <summary>Gives back the slot of an eager start that did not happen (the insert failed, or found an existing job).</summary>
    public void CancelEager() => _eager.Cancel();

    /// <summary>
    /// Stops claiming, lets running steps finish until <paramref name="deadline"/>, then signals them and gives their jobs back
    /// (those that ignore the signal are abandoned: see <see cref="RunningJobs.DrainAsync"/>).
    /// </summary>
    public async Task StopAsync(CancellationToken deadline)
    {
        _subscription.Dispose();
        await _timers.DisposeAsync().ConfigureAwait(false);
        await _dispatcher.StopAsync().ConfigureAwait(false);
        // Jobs claimed ahead that have not started go back to the queue at once, for any worker.
        _slots.StopWaiting();
        await _eager.CloseAsync(deadline).ConfigureAwait(false);
        await _running.DrainAsync(deadline).ConfigureAwait(false);
        // Leases are renewed until the last step has finished, been released or been abandoned: a step that finishes during
        // a graceful stop must not lose its job to another worker meanwhile.
        await _leaseKeeper.StopAsync().ConfigureAwait(false);
        await _batcher.StopAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        // Stopped by StopAsync; a pool disposed without it stops the loop here without waiting for its pass.
        _ = _timers.DisposeAsync().AsTask();
        _dispatcher.Dispose();
        _leaseKeeper.Dispose();
        if (_running.HasNoTasks)
        {
            // An abandoned step still gives its slot back when it ends.
            _slots.Dispose();
            _runner.Dispose();
        }
    }
}
