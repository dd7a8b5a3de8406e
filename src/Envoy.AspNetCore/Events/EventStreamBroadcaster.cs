using Microsoft.Extensions.Logging;

namespace Envoy.AspNetCore.Events;

/// <summary>
/// The one store subscription behind every event stream client of this app (<c>ReadStoreEventsAsync</c>), the replay buffer
/// and the clients. Each event is formatted once, numbered (ids increase, from a start derived from the clock so they keep
/// increasing across restarts), kept for <see cref="EnvoyEventStreamOptions.ReplayWindow"/> (at most
/// <see cref="EnvoyEventStreamOptions.ReplayCapacity"/> events) and queued for every client that wants it. The subscription
/// starts with the first client and stops one replay window after the last one left (so nobody listens, and the workers
/// send nothing, while no dashboard is open).
/// </summary>
internal sealed class EventStreamBroadcaster : IAsyncDisposable
{
    private readonly Scheduler _scheduler;
    private readonly EnvoyEventStreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly LinkedList<EventStreamItem> _replay = new();
    private readonly List<EventStreamClient> _clients = [];
    private long _lastId;
#pragma warning disable CA2213 // Disposed once its pump has ended (StopSubscription chains that).
    private CancellationTokenSource? _subscription;
#pragma warning restore CA2213
    private Task _pump = Task.CompletedTask;
    private ITimer? _idleTimer;
    private bool _disposed;

    public EventStreamBroadcaster(Scheduler scheduler, EnvoyEventStreamOptions options, TimeProvider time, ILogger logger)
    {
        _scheduler = scheduler;
        _options = options;
        _time = time;
        _logger = logger;
        _lastId = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    public EnvoyEventStreamOptions Options => _options;

    public TimeProvider Time => _time;

    /// <summary>How many clients are connected.</summary>
    public int ClientCount
    {
        get
        {
            lock (_gate)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>How many events the replay buffer holds.</summary>
    public int ReplayCount
    {
        get
        {
            lock (_gate)
            {
                return _replay.Count;
            }
        }
    }

    /// <summary>
    /// Connects a client: the buffered events after <paramref name="lastEventId"/> (when given) are queued first, then every new
    /// one, both filtered by <paramref name="jobId"/>; nothing is missed or doubled between the two (one lock).
    /// </summary>
    public EventStreamClient Connect(string? jobId, long? lastEventId)
    {
        var client = new EventStreamClient(jobId, _options.ClientQueueCapacity);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (lastEventId is { } after)
            {
                Trim();
                foreach (var item in _replay)
                {
                    if (item.Id > after && client.Wants(item) && !client.Post(item))
                    {
                        break;
                    }
                }
            }

            _clients.Add(client);
            _idleTimer?.Dispose();
            _idleTimer = null;
            if (_subscription is null)
            {
                Subscribe();
            }
        }

        return client;
    }

    /// <summary>A client's response ended.</summary>
    public void Disconnect(EventStreamClient client)
    {
        lock (_gate)
        {
            _clients.Remove(client);
            if (_clients.Count == 0 && _subscription is not null && !_disposed)
            {
                _idleTimer?.Dispose();
                _idleTimer = _time.CreateTimer(_ => StopWhenIdle(), null, _options.ReplayWindow, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Ends every client's stream and the subscription (the app is stopping); does not wait for the subscription to end.</summary>
    public void Shutdown()
    {
        CancellationTokenSource? subscription;
        lock (_gate)
        {
            _disposed = true;
            _idleTimer?.Dispose();
            foreach (var client in _clients)
            {
                client.Complete();
            }

            _clients.Clear();
            subscription = StopSubscription();
        }

        Cancel(subscription);
    }

    /// <summary><see cref="Shutdown"/>, then waits for the subscription to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Shutdown();
        Task pump;
        lock (_gate)
        {
            pump = _pump;
        }

        await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Starts the store subscription (under the lock): subscribed when this returns, so no event after it is missed.</summary>
    private void Subscribe()
    {
        _subscription = new CancellationTokenSource();
        var events = _scheduler.ReadStoreEventsAsync(_subscription.Token).GetAsyncEnumerator(_subscription.Token);
        // The reader subscribes synchronously in its first MoveNextAsync (before it waits for an event).
        var first = events.MoveNextAsync();
        var previous = _pump;
        _pump = PumpAsync(events, first, previous);
    }

    /// <summary>Detaches the subscription (under the lock); the caller cancels it outside the lock (<see cref="Cancel"/>).</summary>
    private CancellationTokenSource? StopSubscription()
    {
        if (_subscription is not { } subscription)
        {
            return null;
        }

        _subscription = null;
        _pump = _pump.ContinueWith(_ => subscription.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return subscription;
    }

#pragma warning disable CA1849, VSTHRD103 // Called from synchronous callbacks (a timer, the app stopping); cancelling only signals the pump.
    private static void Cancel(CancellationTokenSource? subscription) => subscription?.Cancel();
#pragma warning restore CA1849, VSTHRD103

    private void StopWhenIdle()
    {
        CancellationTokenSource? subscription = null;
        lock (_gate)
        {
            if (_clients.Count == 0 && !_disposed)
            {
                subscription = StopSubscription();
                _replay.Clear(); // what comes while nobody subscribes is not there: never replay a partial window
            }
        }

        Cancel(subscription);
    }

    private async Task PumpAsync(IAsyncEnumerator<SchedulerEvent> events, ValueTask<bool> first, Task previous)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await using (events.ConfigureAwait(false))
            {
                var next = first;
                while (await next.ConfigureAwait(false))
                {
                    Publish(events.Current);
                    next = events.MoveNextAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // unsubscribed
        }
#pragma warning disable CA1031 // Logged; the next client subscribes again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            EventStreamLog.SubscriptionFailed(_logger, ex);
            lock (_gate)
            {
                _subscription = null;
            }
        }
    }

    private void Publish(SchedulerEvent e)
    {
        if (e is EventsDroppedEvent dropped)
        {
            EventStreamLog.SubscriptionMissed(_logger, dropped.Count);
            return;
        }

        if (EventStreamJson.Format(e) is not { } formatted)
        {
            return;
        }

        List<EventStreamClient>? overflowed = null;
        lock (_gate)
        {
            var item = new EventStreamItem(++_lastId, formatted.Kind, e.JobId, formatted.Data, _time.GetUtcNow());
            _replay.AddLast(item);
            Trim();
            foreach (var client in _clients)
            {
                if (client.Wants(item) && !client.Post(item))
                {
                    (overflowed ??= []).Add(client);
                }
            }

            if (overflowed is not null)
            {
                _clients.RemoveAll(overflowed.Contains);
            }
        }

        foreach (var client in overflowed ?? [])
        {
            EventStreamLog.ClientDropped(_logger, client.JobId ?? "none", _options.ClientQueueCapacity);
        }
    }

    /// <summary>Drops replay entries beyond the capacity or older than the window (under the lock).</summary>
    private void Trim()
    {
        var oldest = _time.GetUtcNow() - _options.ReplayWindow;
        while (_replay.First is { } first && (_replay.Count > _options.ReplayCapacity || first.Value.ReceivedAt < oldest))
        {
            _replay.RemoveFirst();
        }
    }
}
