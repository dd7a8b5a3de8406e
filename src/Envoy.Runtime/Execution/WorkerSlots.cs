using System.Collections.Concurrent;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The worker slots of one pool: permits for the handlers that run at once. A slot given back goes first to a job claimed
/// ahead that waits for one (in the order they began to wait), and only when none waits to the free slots the dispatcher
/// claims for: so a job claimed ahead starts the moment a slot frees, without a claim round trip, and the dispatcher claims
/// again only once every job claimed ahead has started.
/// </summary>
internal sealed class WorkerSlots : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly ConcurrentQueue<Waiter> _waiters = new();
    private int _waiting;
    private bool _stopping;

    public WorkerSlots(int count) => _free = new SemaphoreSlim(count, count);

    /// <summary>Jobs claimed ahead that wait for a slot.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a free slot (the dispatcher).</summary>
    public Task WaitAsync(CancellationToken cancellationToken) => _free.WaitAsync(cancellationToken);

    /// <summary>Takes a free slot if there is one, without waiting.</summary>
    public bool TryTake() => _free.Wait(0, CancellationToken.None);

    /// <summary>Gives a slot back: to the job claimed ahead that has waited longest, else to the free slots.</summary>
    public void Give()
    {
        while (_waiters.TryDequeue(out var waiter))
        {
            if (waiter.Handoff.TrySetResult(true))
            {
                return;
            }
        }

        _free.Release();
    }

    /// <summary>
    /// Waits, for a job claimed ahead, until a slot is handed to it; false when the job was signalled first (cancelled, lease
    /// lost, or the pool stopping: see <see cref="StopWaiting"/>), and then it holds no slot.
    /// </summary>
    public async Task<bool> WaitForHandoffAsync(RunningJob job)
    {
        var waiter = new Waiter(job);
        Interlocked.Increment(ref _waiting);
        try
        {
            _waiters.Enqueue(waiter);
            if (Volatile.Read(ref _stopping))
            {
                StopIfWaiting(waiter); // queued after StopWaiting looked
            }

            // A slot freed before this job queued went to the free slots: take it, unless one was handed over meanwhile.
            if (TryTake() && !waiter.Handoff.TrySetResult(true))
            {
                Give();
            }

            using (job.Cancellation.Token.UnsafeRegister(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), waiter.Handoff))
            {
                return await waiter.Handoff.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Signals every job waiting for a slot, now or from now on, to stop (the pool is stopping): they go back to the queue unstarted.</summary>
    public void StopWaiting()
    {
        Volatile.Write(ref _stopping, true);
        foreach (var waiter in _waiters)
        {
            StopIfWaiting(waiter);
        }
    }

    public void Dispose() => _free.Dispose();

    /// <summary>
    /// Stops the job of a waiter that has no slot yet (its cancellation ends the wait with false). A waiter whose job took a
    /// slot stays queued until a later <see cref="Give"/> passes it: that job runs its step and must not be signalled here.
    /// </summary>
    private static void StopIfWaiting(Waiter waiter)
    {
        if (!waiter.Handoff.Task.IsCompleted)
        {
            waiter.Job.Stop(JobStopReason.Stopping);
        }
    }

    private sealed class Waiter(RunningJob job)
    {
        public RunningJob Job { get; } = job;

        public TaskCompletionSource<bool> Handoff { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
