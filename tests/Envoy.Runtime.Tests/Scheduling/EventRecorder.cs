namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Records a scheduler's events and lets a test wait for the one it expects.</summary>
public sealed class EventRecorder : IObserver<SchedulerEvent>, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<SchedulerEvent> _events = [];
    private readonly List<(Func<SchedulerEvent, bool> Match, TaskCompletionSource<SchedulerEvent> Done)> _waiters = [];
    private readonly IDisposable _subscription;

    public EventRecorder(Scheduler scheduler) => _subscription = scheduler.Events.Subscribe(this);

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<SchedulerEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The events of one job so far, in order.</summary>
    public IReadOnlyList<SchedulerEvent> For(string jobId) => Events.Where(e => e.JobId == jobId).ToList();

    /// <summary>Waits for the first event (past or future) that matches.</summary>
    public Task<SchedulerEvent> WaitForAsync(Func<SchedulerEvent, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<SchedulerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    /// <summary>Waits for the job's <see cref="JobFinishedEvent"/>.</summary>
    public async Task<JobFinishedEvent> WaitForFinishedAsync(string jobId, TimeSpan timeout) =>
        (JobFinishedEvent)await WaitForAsync(e => e is JobFinishedEvent && e.JobId == jobId, timeout);

    /// <summary>Waits for the step commit that left the job blocking.</summary>
    public async Task<StepCompletedEvent> WaitForBlockingAsync(string jobId, TimeSpan timeout, int occurrence = 1)
    {
        var seen = 0;
        return (StepCompletedEvent)await WaitForAsync(e => e is StepCompletedEvent { Status: JobStatus.Blocking } && e.JobId == jobId && ++seen == occurrence, timeout);
    }

    public void OnNext(SchedulerEvent value)
    {
        List<TaskCompletionSource<SchedulerEvent>>? matched = null;
        lock (_gate)
        {
            _events.Add(value);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(value))
                {
                    (matched ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(m => m.TrySetResult(value));
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose() => _subscription.Dispose();
}
