using System.Collections.Concurrent;

namespace Envoy.Server.Tests.Harness;

/// <summary>Records a scheduler's step-started events from its creation on, so a test can wait for a step to have begun.</summary>
public sealed class EventWatch : IObserver<SchedulerEvent>, IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    public EventWatch(Scheduler scheduler)
    {
        _subscription = scheduler.Events.Subscribe(this);
    }

    public Task StepStartedAsync(string jobId) => Started(jobId).Task.WaitAsync(TimeSpan.FromMinutes(1));

    public void OnNext(SchedulerEvent value)
    {
        if (value is StepStartedEvent started)
        {
            Started(started.JobId).TrySetResult();
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose() => _subscription.Dispose();

    private TaskCompletionSource Started(string jobId) =>
        _started.GetOrAdd(jobId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
