namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The events waiting for one subscriber, at most <see cref="SchedulerEventsLimits.BufferCapacity"/>. When full, newer events
/// are counted and dropped until the subscriber has taken every event buffered; it then takes one
/// <see cref="EventsDroppedEvent"/> with the count, so it learns exactly where its stream has a gap.
/// </summary>
internal sealed class EventQueue(int capacity)
{
    private readonly Queue<SchedulerEvent> _queue = new();
    private readonly Lock _gate = new();
    private long _dropped;
    private DateTimeOffset _firstDroppedAt;
    private bool _completed;
    private TaskCompletionSource? _waiter;

    /// <summary>Adds an event (never blocks: a full queue counts it as dropped).</summary>
    public void Post(SchedulerEvent e)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            if (_dropped > 0 || _queue.Count >= capacity)
            {
                if (_dropped++ == 0)
                {
                    _firstDroppedAt = e.At;
                }

                return;
            }

            _queue.Enqueue(e);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>No more events: <see cref="TakeAsync"/> returns null once the buffered ones are taken (or at once when <paramref name="discard"/>).</summary>
    public void Complete(bool discard)
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            _completed = true;
            if (discard)
            {
                _queue.Clear();
                _dropped = 0;
            }

            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>The next event, a <see cref="EventsDroppedEvent"/> after a gap, or null when completed and drained.</summary>
    public async ValueTask<SchedulerEvent?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_queue.TryDequeue(out var e))
                {
                    return e;
                }

                if (_dropped > 0)
                {
                    var gap = new EventsDroppedEvent(_firstDroppedAt, _dropped);
                    _dropped = 0;
                    return gap;
                }

                if (_completed)
                {
                    return null;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
