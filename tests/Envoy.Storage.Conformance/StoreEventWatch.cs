namespace Envoy.Storage.Conformance;

/// <summary>Records a scheduler's store-wide events (as an observer, or as an async reader) and waits for the one expected.</summary>
public sealed class StoreEventWatch : IObserver<SchedulerEvent>, IAsyncDisposable
{
    private readonly List<SchedulerEvent> _events = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private IDisposable? _subscription;
    private Task _reading = Task.CompletedTask;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StoreEventWatch()
    {
    }

    /// <summary>Subscribes to <c>StoreEvents</c> (at once).</summary>
    public static StoreEventWatch Observing(Scheduler scheduler)
    {
        var watch = new StoreEventWatch();
        watch._subscription = scheduler.StoreEvents.Subscribe(watch);
        return watch;
    }

    /// <summary>Reads <c>ReadStoreEventsAsync</c> (subscribed once its first read starts).</summary>
    public static StoreEventWatch Reading(Scheduler scheduler)
    {
        var watch = new StoreEventWatch();
        watch._reading = Task.Run(async () =>
        {
            await foreach (var e in scheduler.ReadStoreEventsAsync(watch._stop.Token))
            {
                watch.OnNext(e);
            }
        });
        return watch;
    }

    /// <summary>The events of one job, in the order received (<see cref="string.Empty"/>: the drop notices).</summary>
    public List<SchedulerEvent> For(string jobId)
    {
        lock (_gate)
        {
            return _events.Where(e => e.JobId == jobId).ToList();
        }
    }

    /// <summary>The first event matching <paramref name="match"/>, waiting for it up to <paramref name="timeout"/>.</summary>
    public async Task<SchedulerEvent> WaitAsync(Func<SchedulerEvent, bool> match, TimeSpan timeout, string what) =>
        await TryWaitAsync(match, timeout) ?? throw new TimeoutException($"No store event for {what} within {timeout}.");

    /// <summary>The first event matching <paramref name="match"/>, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<SchedulerEvent?> TryWaitAsync(Func<SchedulerEvent, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_events.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    public void OnNext(SchedulerEvent value)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(value);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _stop.CancelAsync();
#pragma warning disable VSTHRD003 // The reading task was started by this watch.
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        _stop.Dispose();
    }
}
