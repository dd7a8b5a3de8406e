using System.Threading.Channels;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Groups the step commits of concurrent workers into shared store transactions (group commit). A batch that ends (or blocks,
/// or fails) jobs holding concurrency-limit slots raises one <see cref="JobSignalKind.Ready"/> signal for all of them, the
/// moment it is applied: the other processes hear of the freed slots in one message per transaction (with Redis, one
/// publish), not one each.
/// </summary>
internal sealed class CommitBatcher
{
    /// <summary>Batches written at once: a second one fills and is sent while the first waits for its commit to be flushed.</summary>
    private const int MaxInFlight = 2;

    private readonly IJobWriteStore _store;
    private readonly int _maxBatch;
    private readonly TimeProvider _time;
    private readonly IJobSignals _signals;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;

    public CommitBatcher(IJobWriteStore store, int maxBatch, TimeProvider time, IJobSignals signals)
    {
        _store = store;
        _maxBatch = maxBatch;
        _time = time;
        _signals = signals;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues a commit; completes with what the store did with it: applied, stale (the job's version or lease moved on), or
    /// refused for its data (that commit alone: the others of its batch go through). <paramref name="onApplied"/> runs with the
    /// result once it is applied, before any commit queued after it: in commit order. <paramref name="freesSlot"/>: the commit
    /// takes a job holding a concurrency-limit slot out of running; once applied, its batch raises a Ready signal.
    /// </summary>
    public Task<CommitResult> CommitAsync(StepCommit commit, Action<CommitResult>? onApplied = null, bool freesSlot = false)
    {
        var done = new TaskCompletionSource<CommitResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Item(commit, onApplied, done, freesSlot)))
        {
            done.SetException(new InvalidOperationException("The scheduler is stopped; the commit was not written."));
        }

        return done.Task;
    }

    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>
    /// Takes what is queued into a batch and writes it; while up to <see cref="MaxInFlight"/> batches are being written, the
    /// next one fills. A job has at most one commit queued or in flight (its worker waits for it), so its commits, and the
    /// events raised as each is applied, stay in order.
    /// </summary>
    private async Task RunAsync()
    {
        using var inFlight = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            await inFlight.WaitAsync().ConfigureAwait(false);
            var batch = new List<Item>(Math.Min(_maxBatch, 64));
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                inFlight.Release();
                continue;
            }

#pragma warning disable CA2025 // Every write holds a permit of inFlight; the loop takes them all back before disposing it.
            _ = WriteAsync(batch, inFlight);
#pragma warning restore CA2025
        }

        // Stopped: wait for the batches still being written.
        for (var i = 0; i < MaxInFlight; i++)
        {
            await inFlight.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<Item> batch, SemaphoreSlim inFlight)
    {
        try
        {
            var started = _time.GetTimestamp();
            var results = await _store.CommitStepsAsync(batch.ConvertAll(item => item.Commit)).ConfigureAwait(false);
            EnvoyInstruments.RecordSince(EnvoyInstruments.CommitDuration, _time, started);
            var freed = false;
            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i].Applied)
                {
                    batch[i].OnApplied?.Invoke(results[i]);
                    freed |= batch[i].FreesSlot;
                }
            }

            if (freed)
            {
                // Slots are free: the pending jobs of their keys may start now, here or in another process (one signal for the
                // whole transaction, the moment it is applied).
                _signals.Publish(new JobSignal(JobSignalKind.Ready));
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
#pragma warning disable CA1031 // The store's failure goes to every waiting worker; the loop must survive it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var item in batch)
            {
                item.Done.TrySetException(ex);
            }
        }
        finally
        {
            inFlight.Release();
        }
    }

    private readonly record struct Item(StepCommit Commit, Action<CommitResult>? OnApplied, TaskCompletionSource<CommitResult> Done, bool FreesSlot);
}
