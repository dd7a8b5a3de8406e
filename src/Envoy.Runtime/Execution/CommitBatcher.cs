using System.Threading.Channels;

namespace Envoy.Runtime.Execution;

/// <summary>Groups the step commits of concurrent workers into shared store transactions (group commit).</summary>
internal sealed class CommitBatcher
{
    private readonly IJobStore _store;
    private readonly int _maxBatch;
    private readonly Channel<(StepCommit Commit, Action? OnApplied, TaskCompletionSource<bool> Done)> _queue =
        Channel.CreateUnbounded<(StepCommit, Action?, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task _loop;

    public CommitBatcher(IJobStore store, int maxBatch)
    {
        _store = store;
        _maxBatch = maxBatch;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues a commit; completes with whether it was applied (false: the job's version or lease moved on). <paramref name="onApplied"/>
    /// runs once it is applied, before any commit queued after it: in commit order.
    /// </summary>
    public Task<bool> CommitAsync(StepCommit commit, Action? onApplied = null)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((commit, onApplied, done)))
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

    private async Task RunAsync()
    {
        var batch = new List<(StepCommit Commit, Action? OnApplied, TaskCompletionSource<bool> Done)>(_maxBatch);
        var commits = new List<StepCommit>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
                commits.Add(item.Commit);
            }

            try
            {
                var applied = await _store.CommitAsync(commits).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (applied[i])
                    {
                        batch[i].OnApplied?.Invoke();
                    }

                    batch[i].Done.TrySetResult(applied[i]);
                }
            }
#pragma warning disable CA1031 // The store's failure goes to every waiting worker; the loop must survive it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var (_, _, done) in batch)
                {
                    done.TrySetException(ex);
                }
            }

            batch.Clear();
            commits.Clear();
        }
    }
}
