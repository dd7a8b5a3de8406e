using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The callers of <c>WaitForJobAsync</c> in one scheduler, served by one reader: a waiter holds no connection and sends no query
/// of its own. The reader looks at the jobs that need a look (new waiters, jobs a signal says finished, every waited job on a
/// <see cref="JobSignalKind.Changed"/> signal or the slow safety poll) in one batched read (<see cref="IJobQueryStore.GetJobsAsync"/>),
/// so 10,000 waiters cost one connection, not 10,000 (a read each exhausted the server's connections: issue 12). A read that
/// fails (the server refuses connections for a while) is tried again after a pause; waiters only see their own timeout.
/// </summary>
internal sealed partial class JobWaiters : IAsyncDisposable
{
    /// <summary>At most this many ids per read.</summary>
    internal const int BatchSize = 500;

    private static readonly TimeSpan FirstFailurePause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxFailurePause = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, List<Waiter>> _byJob = new(StringComparer.Ordinal);
    private readonly HashSet<string> _due = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly IJobQueryStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private bool _everyone;
    private Task? _reader;
    private bool _disposed;

    public JobWaiters(IJobQueryStore store, IJobSignals signals, TimeProvider time, TimeSpan pollInterval, ILogger logger)
    {
        _store = store;
        _time = time;
        _pollInterval = pollInterval;
        _logger = logger;
        _subscription = signals.Subscribe(OnSignal);
    }

    /// <summary>
    /// Waits for <paramref name="jobId"/> to be terminal; completes with null when no job has this id. Until then the waiter's
    /// last seen status is in <see cref="Waiter.LastStatus"/>. Dispose the waiter when done waiting.
    /// </summary>
    public Waiter Add(string jobId)
    {
        var waiter = new Waiter(this, jobId);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_byJob.TryGetValue(jobId, out var waiters))
            {
                _byJob[jobId] = waiters = new List<Waiter>(1);
            }

            waiters.Add(waiter);
            _due.Add(jobId);
            _reader ??= Task.Run(() => ReadLoopAsync(_stopping.Token));
        }

        _wake.Set();
        return waiter;
    }

    public async ValueTask DisposeAsync()
    {
        Task? reader;
        Waiter[] left;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            reader = _reader;
            left = [.. _byJob.Values.SelectMany(w => w)];
            _byJob.Clear();
        }

        _subscription.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (reader is not null)
        {
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var waiter in left)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(Scheduler)));
        }

        _stopping.Dispose();
    }

    private void OnSignal(JobSignal signal)
    {
        lock (_gate)
        {
            if (signal.Kind == JobSignalKind.Finished && signal.JobId is { } id)
            {
                if (!_byJob.ContainsKey(id))
                {
                    return;
                }

                _due.Add(id);
            }
            else if (signal.Kind == JobSignalKind.Changed)
            {
                if (_byJob.Count == 0)
                {
                    return;
                }

                _everyone = true;
            }
            else
            {
                return;
            }
        }

        _wake.Set();
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var ids = TakeDue();
            if (ids.Count > 0)
            {
                try
                {
                    for (var start = 0; start < ids.Count; start += BatchSize)
                    {
                        var batch = ids.GetRange(start, Math.Min(BatchSize, ids.Count - start));
                        Deliver(batch, await _store.GetJobsAsync(batch, cancellationToken).ConfigureAwait(false));
                    }

                    failures = 0;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return; // the store was disposed under the scheduler: its waiters end with the scheduler
                }
#pragma warning disable CA1031 // Waiters must outlive a server that refuses connections for a while: look again later.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    ReadFailed(_logger, ex, ids.Count);
                    Requeue(ids);
                    var pause = Retries.RetryBackoff.Delay(failures, FirstFailurePause, MaxFailurePause);
                    if (!await PauseAsync(pause, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }
            }

            if (HasDue())
            {
                continue;
            }

            // A signal wakes this at once; the periodic look at every waited job is only a safety net for a signal that never comes.
            bool signalled;
            try
            {
                signalled = await _wake.WaitAsync(_pollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!signalled)
            {
                lock (_gate)
                {
                    _everyone = _byJob.Count > 0;
                }
            }
        }
    }

    private async Task<bool> PauseAsync(TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private List<string> TakeDue()
    {
        lock (_gate)
        {
            List<string> ids = _everyone ? [.. _byJob.Keys] : [.. _due.Where(_byJob.ContainsKey)];
            _everyone = false;
            _due.Clear();
            return ids;
        }
    }

    private bool HasDue()
    {
        lock (_gate)
        {
            return _everyone || _due.Count > 0;
        }
    }

    private void Requeue(List<string> ids)
    {
        lock (_gate)
        {
            _due.UnionWith(ids);
        }
    }

    private void Deliver(List<string> asked, IReadOnlyList<JobRecord> found)
    {
        var byId = new Dictionary<string, JobRecord>(found.Count, StringComparer.Ordinal);
        foreach (var job in found)
        {
            byId[job.Id] = job;
        }

        List<(Waiter Waiter, JobRecord? Job)> done = [];
        lock (_gate)
        {
            foreach (var id in asked)
            {
                if (!_byJob.TryGetValue(id, out var waiters))
                {
                    continue;
                }

                var job = byId.GetValueOrDefault(id);
                if (job is not null && !job.Status.IsTerminal())
                {
                    foreach (var waiter in waiters)
                    {
                        waiter.LastStatus = job.Status;
                    }

                    continue;
                }

                done.AddRange(waiters.Select(w => (w, job)));
                _byJob.Remove(id);
            }
        }

        foreach (var (waiter, job) in done)
        {
            waiter.Completion.TrySetResult(job);
        }
    }

    private void Remove(Waiter waiter)
    {
        lock (_gate)
        {
            if (_byJob.TryGetValue(waiter.JobId, out var waiters) && waiters.Remove(waiter) && waiters.Count == 0)
            {
                _byJob.Remove(waiter.JobId);
            }
        }
    }

    [LoggerMessage(1040, LogLevel.Warning, "Reading {Count} waited-for jobs failed; trying again shortly (the waiters keep waiting)")]
    private static partial void ReadFailed(ILogger logger, Exception exception, int count);

    /// <summary>One caller waiting for one job.</summary>
    internal sealed class Waiter(JobWaiters owner, string jobId) : IDisposable
    {
        public string JobId { get; } = jobId;

        /// <summary>Completes with the terminal job, or null when there is no such job.</summary>
        public TaskCompletionSource<JobRecord?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The status the last read found (null before the first read).</summary>
        public JobStatus? LastStatus
        {
            get => Volatile.Read(ref _lastStatus) is var status and >= 0 ? (JobStatus)status : null;
            set => Volatile.Write(ref _lastStatus, value is { } status ? (int)status : -1);
        }

        private int _lastStatus = -1;

        public void Dispose() => owner.Remove(this);
    }
}
