using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The jobs running in one pool (by id, for signals and lease renewals) and the tasks that run them (for the stop): a job
/// enters when its run starts and leaves when the run ends; a task leaves when it completes.
/// </summary>
internal sealed class RunningJobs(ILogger logger)
{
    /// <summary>How long steps signalled at the stop deadline have to end before they are abandoned.</summary>
    internal static readonly TimeSpan AbandonGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, RunningJob> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();

    /// <summary>Whether no run is in progress (an abandoned step counts until it ends).</summary>
    public bool HasNoTasks => _tasks.IsEmpty;

    /// <summary>Enters a job whose run is about to start.</summary>
    public void Add(RunningJob job) => _byId[job.Id] = job;

    /// <summary>Tracks the task that runs a job until it completes.</summary>
    public void Track(Task task)
    {
        _tasks[task] = 0;
        task.ContinueWith(
            static (t, state) =>
            {
                var tasks = (ConcurrentDictionary<Task, byte>)state!;
                tasks.TryRemove(t, out _);
            },
            _tasks,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Forget();
    }

    /// <summary>Removes this run's entry only: the job may already have been claimed again (unblocked, retried, taken over) and started anew.</summary>
    public void Remove(RunningJob job) => _byId.TryRemove(new KeyValuePair<string, RunningJob>(job.Id, job));

    /// <summary>The job with this id running here, if any.</summary>
    public bool TryGet(string id, [MaybeNullWhen(false)] out RunningJob job) => _byId.TryGetValue(id, out job);

    /// <summary>The ids of the jobs running here now.</summary>
    public string[] Ids() => _byId.Keys.ToArray();

    /// <summary>Signals the step of a job running here; nothing when it is not.</summary>
    public void Signal(string jobId, JobStopReason reason)
    {
        if (_byId.TryGetValue(jobId, out var job))
        {
            job.Stop(reason);
        }
    }

    /// <summary>
    /// Waits for every run to end until <paramref name="deadline"/>; then signals the steps still running (their jobs are given
    /// back) and gives them <see cref="AbandonGrace"/> to end: those still running then ignore their cancellation and are
    /// abandoned (logged): the pool stops without them and stops renewing their leases, so their jobs are taken over when the
    /// leases expire. Should such a step end later, its commit is refused.
    /// </summary>
    public async Task DrainAsync(CancellationToken deadline)
    {
        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            foreach (var job in _byId.Values)
            {
                job.Stop(JobStopReason.Stopping);
            }

            await ReleaseOrAbandonAsync().ConfigureAwait(false);
        }
    }

    private async Task ReleaseOrAbandonAsync()
    {
        // Real time on purpose: the grace is for threads to run, and a test's fake clock would never end it.
        var all = Task.WhenAll(_tasks.Keys);
        await all.WaitAsync(AbandonGrace, TimeProvider.System).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (all.IsCompleted)
        {
            return;
        }

        var abandoned = _byId.Values.Where(job => !job.Committing).Select(job => job.Id).ToArray();
        RuntimeLog.StepsAbandoned(logger, abandoned.Length, string.Join(", ", abandoned.Take(20)));
    }
}
