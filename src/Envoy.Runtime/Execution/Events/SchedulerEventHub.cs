using System.Runtime.CompilerServices;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The in-process event stream. Publishing only queues the event for each subscriber (never blocks, never runs user code):
/// events are raised inside the commit pipeline, so an observer that is slow, blocks or throws must not delay any commit.
/// Each observer is called in order by its own delivery task; each async reader takes from its own queue. A subscriber that
/// falls <see cref="SchedulerEventsLimits.BufferCapacity"/> events behind misses the newer ones and is told how many
/// (<see cref="EventsDroppedEvent"/>). A hub may pass every event it publishes on to a sink (the store-wide feed), and tell
/// someone when its subscribers come and go.
/// </summary>
/// <param name="sink">Also gets every event published (null: none).</param>
/// <param name="subscribersChanged">Called (outside any lock) after a subscriber came or left (null: nobody).</param>
internal sealed class SchedulerEventHub(IEventSink? sink = null, Action? subscribersChanged = null) : IObservable<SchedulerEvent>
{
    private readonly Lock _gate = new();
    private EventQueue[] _queues = [];

    /// <summary>Whether an event published now reaches anyone (a subscriber here, or the sink's).</summary>
    public bool HasObservers => Volatile.Read(ref _queues).Length > 0 || (sink?.WantsEvents ?? false);

    /// <summary>How many observers and readers this hub has now.</summary>
    public int SubscriberCount => Volatile.Read(ref _queues).Length;

    public void Publish(SchedulerEvent e)
    {
        foreach (var queue in Volatile.Read(ref _queues))
        {
            queue.Post(e);
        }

        sink?.Post(e);
    }

    public IDisposable Subscribe(IObserver<SchedulerEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var subscription = new ObserverSubscription(this, observer, Add());
        subscription.Start();
        return subscription;
    }

    public async IAsyncEnumerable<SchedulerEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var queue = Add();
        try
        {
            while (await queue.TakeAsync(cancellationToken).ConfigureAwait(false) is { } e)
            {
                yield return e;
            }
        }
        finally
        {
            Remove(queue);
        }
    }

    /// <summary>No more events: each subscriber gets those already queued, then completes.</summary>
    public void Complete()
    {
        EventQueue[] queues;
        lock (_gate)
        {
            queues = _queues;
            _queues = [];
        }

        foreach (var queue in queues)
        {
            queue.Complete(discard: false);
        }
    }

    private EventQueue Add()
    {
        var queue = new EventQueue(SchedulerEventsLimits.BufferCapacity);
        lock (_gate)
        {
            _queues = [.. _queues, queue];
        }

        subscribersChanged?.Invoke();
        return queue;
    }

    private void Remove(EventQueue queue)
    {
        bool removed;
        lock (_gate)
        {
            var before = _queues.Length;
            _queues = Array.FindAll(_queues, q => !ReferenceEquals(q, queue));
            removed = _queues.Length < before;
        }

        queue.Complete(discard: true);
        if (removed)
        {
            subscribersChanged?.Invoke();
        }
    }

    /// <summary>One observer: its queue and the task that calls it, one event at a time, in order.</summary>
    private sealed class ObserverSubscription(SchedulerEventHub hub, IObserver<SchedulerEvent> observer, EventQueue queue) : IDisposable
    {
        private volatile bool _disposed;

        public void Start() => Task.Run(DeliverAsync).Forget();

        public void Dispose()
        {
            _disposed = true;
            hub.Remove(queue);
        }

        private async Task DeliverAsync()
        {
            while (await queue.TakeAsync(CancellationToken.None).ConfigureAwait(false) is { } e)
            {
                if (_disposed)
                {
                    return;
                }

                try
                {
                    observer.OnNext(e);
                }
#pragma warning disable CA1031 // A failing observer must not stop its own stream, nor touch any other.
                catch (Exception)
#pragma warning restore CA1031
                {
                    // Observers are user code; their failures are theirs.
                }
            }

            if (!_disposed)
            {
                try
                {
                    observer.OnCompleted();
                }
#pragma warning disable CA1031 // As above.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }
}

/// <summary>Where a <see cref="SchedulerEventHub"/> passes its events on (the store-wide feed).</summary>
internal interface IEventSink
{
    /// <summary>Whether the sink has any use for events now (a local or a remote listener may want them).</summary>
    bool WantsEvents { get; }

    /// <summary>Takes one event; never blocks.</summary>
    void Post(SchedulerEvent e);
}
