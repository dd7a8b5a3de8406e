using Envoy.Runtime.Coordination;
using Envoy.Runtime.Execution;

namespace Envoy.Runtime.Scheduling;

/// <summary>
/// The callers of <c>WaitForJobAsync</c> in one scheduler, by job id, behind one subscription to the store's signals: a
/// finished-job signal wakes only the waiters of that job, so each signal costs the same with ten waiters or ten thousand
/// (a subscription per waiter called every waiter on every signal, and copied the subscriber list on every wait).
/// A <see cref="JobSignalKind.Changed"/> signal (a reconnect: anything may have happened) wakes everyone.
/// </summary>
internal sealed class JobWaiters : IDisposable
{
    private readonly Dictionary<string, List<WakeSignal>> _byJob = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly IDisposable _subscription;

    public JobWaiters(IJobSignals signals) => _subscription = signals.Subscribe(OnSignal);

    /// <summary>Wakes <paramref name="signal"/> when <paramref name="jobId"/> finishes, until the returned handle is disposed.</summary>
    public IDisposable Register(string jobId, WakeSignal signal)
    {
        lock (_gate)
        {
            if (!_byJob.TryGetValue(jobId, out var waiters))
            {
                _byJob[jobId] = waiters = new List<WakeSignal>(1);
            }

            waiters.Add(signal);
        }

        return new Registration(this, jobId, signal);
    }

    public void Dispose() => _subscription.Dispose();

    private void OnSignal(JobSignal signal)
    {
        WakeSignal[] woken;
        lock (_gate)
        {
            if (signal.Kind == JobSignalKind.Finished && signal.JobId is { } id)
            {
                if (!_byJob.TryGetValue(id, out var waiters))
                {
                    return;
                }

                woken = [.. waiters];
            }
            else if (signal.Kind == JobSignalKind.Changed)
            {
                woken = [.. _byJob.Values.SelectMany(w => w)];
            }
            else
            {
                return;
            }
        }

        foreach (var waiter in woken)
        {
            waiter.Set();
        }
    }

    private void Unregister(string jobId, WakeSignal signal)
    {
        lock (_gate)
        {
            if (_byJob.TryGetValue(jobId, out var waiters) && waiters.Remove(signal) && waiters.Count == 0)
            {
                _byJob.Remove(jobId);
            }
        }
    }

    private sealed class Registration(JobWaiters owner, string jobId, WakeSignal signal) : IDisposable
    {
        public void Dispose() => owner.Unregister(jobId, signal);
    }
}
