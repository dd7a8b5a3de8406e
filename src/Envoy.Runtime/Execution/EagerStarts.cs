using Envoy.Runtime.Storage;
namespace Envoy.Runtime.Execution;

/// <summary>
/// The eager starts of one pool: a job scheduled to run now is inserted already claimed by this worker and run here at once,
/// without a claim round trip, in a free slot reserved before the insert (<see cref="TryReserve"/>, then <see cref="Start"/>
/// or <see cref="Cancel"/>). Once the pool stops (<see cref="CloseAsync"/>) no slot is reserved any more.
/// </summary>
internal sealed class EagerStarts(WorkerSlots slots, JobRunner runner)
{
    private readonly Lock _gate = new();
    private int _reserved;
    private TaskCompletionSource? _drained;

    /// <summary>Takes a free slot for an eager start; false when every slot is busy or the pool is stopping.</summary>
    public bool TryReserve()
    {
        lock (_gate)
        {
            if (_drained is not null || !slots.TryTake())
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    /// <summary>Runs a job inserted already claimed, in the slot taken by <see cref="TryReserve"/>.</summary>
    public void Start(JobRecord record)
    {
        runner.Start(record);
        End();
    }

    /// <summary>Gives back the slot of an eager start that did not happen (the insert failed, or found an existing job).</summary>
    public void Cancel()
    {
        slots.Give();
        End();
    }

    /// <summary>
    /// Reserves no slot from now on, and waits (until <paramref name="deadline"/>) for those reserved already to be started
    /// or cancelled, which takes one insert.
    /// </summary>
    public async Task CloseAsync(CancellationToken deadline)
    {
        Task drained;
        lock (_gate)
        {
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_reserved == 0)
            {
                _drained.TrySetResult();
            }

            drained = _drained.Task;
        }

        await drained.WaitAsync(deadline).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void End()
    {
        lock (_gate)
        {
            if (--_reserved == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }
}
