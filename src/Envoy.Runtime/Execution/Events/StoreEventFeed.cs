using System.Text.Json;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The store-wide event feed of one scheduler: the events of every scheduler on its store. This scheduler's own events are
/// delivered to its store subscribers directly and offered to the <see cref="StoreEventPublisher"/> for the other processes;
/// the other processes' events come from the store's <see cref="IEventTransport"/> (this feed's own, which come back too, are
/// recognised by their origin and skipped). While it has subscribers, the feed listens and announces itself as a listener,
/// renewing the announcement every <see cref="AnnounceInterval"/> for <see cref="AnnounceTimeToLive"/>; when the last leaves,
/// it stops and withdraws. Best effort: what is sent while a connection is down is lost to this feed.
/// </summary>
internal sealed class StoreEventFeed : IEventSink, IAsyncDisposable
{
    /// <summary>How often a listening feed renews its announcement.</summary>
    public static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long an announcement lasts when not renewed (a process that died stops being a listener then).</summary>
    public static readonly TimeSpan AnnounceTimeToLive = TimeSpan.FromSeconds(30);

    private readonly IJobQueryStore _store;
    private readonly IEventTransport? _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly Lock _gate = new();
    private Listening? _listening;
    private Task _stopped = Task.CompletedTask;
    private bool _disposed;
    private int _unreadableLogged;

    public StoreEventFeed(IJobQueryStore store, IEventTransport? transport, TimeProvider time, ILogger logger)
    {
        _store = store;
        _transport = transport;
        _time = time;
        _logger = logger;
        Hub = new SchedulerEventHub(subscribersChanged: SubscribersChanged);
        Publisher = _transport is null ? null : new StoreEventPublisher(_transport, _origin, time, logger);
    }

    /// <summary>The store subscribers' hub (<c>StoreEvents</c>, <c>ReadStoreEventsAsync</c>).</summary>
    public SchedulerEventHub Hub { get; }

    /// <summary>What sends this scheduler's events to the other processes; null when the store has no transport.</summary>
    public StoreEventPublisher? Publisher { get; }

    /// <summary>Whether this feed listens to the transport now.</summary>
    public bool IsListening
    {
        get
        {
            lock (_gate)
            {
                return _listening is not null;
            }
        }
    }

    public bool WantsEvents => Hub.SubscriberCount > 0 || (Publisher?.MayHaveListeners ?? false);

    /// <summary>One event of this scheduler: to the local store subscribers at once, and to the other processes.</summary>
    public void Post(SchedulerEvent e)
    {
        Hub.Publish(e);
        Publisher?.Offer(e);
    }

    public async ValueTask DisposeAsync()
    {
        Listening? listening;
        Task stopped;
        lock (_gate)
        {
            _disposed = true;
            listening = _listening;
            _listening = null;
            stopped = _stopped;
        }

        Hub.Complete();
        if (listening is not null)
        {
            await listening.StopAsync().ConfigureAwait(false);
        }

        await stopped.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        if (Publisher is not null)
        {
            await Publisher.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void SubscribersChanged()
    {
        if (_transport is null)
        {
            return;
        }

        lock (_gate)
        {
            var wanted = !_disposed && Hub.SubscriberCount > 0;
            if (wanted && _listening is null)
            {
                _listening = new Listening(this, _transport);
            }
            else if (!wanted && _listening is not null)
            {
                // Not awaited here (a subscriber is leaving, maybe inside a lock of its own); disposal awaits it.
                _stopped = Task.WhenAll(_stopped, _listening.StopAsync());
                _listening = null;
            }
        }
    }

    private void Receive(string payload)
    {
        string origin;
        List<SchedulerEvent> events;
        try
        {
            (origin, events) = EventWire.Decode(payload);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            if (Interlocked.Exchange(ref _unreadableLogged, 1) == 0)
            {
                RuntimeLog.StoreEventsUnreadable(_logger, ex);
            }

            return;
        }

        if (origin == _origin)
        {
            return; // this scheduler's own, delivered already
        }

        foreach (var e in events)
        {
            if (e is EscalationCreatedReference reference)
            {
                ResolveAsync(reference).Forget();
            }
            else
            {
                Hub.Publish(e);
            }
        }
    }

    /// <summary>An escalation too large for one message: read from the store, then delivered.</summary>
    private async Task ResolveAsync(EscalationCreatedReference reference)
    {
        try
        {
            if (await _store.GetEscalationAsync(reference.EscalationId).ConfigureAwait(false) is { } escalation)
            {
                Hub.Publish(new EscalationCreatedEvent(reference.JobId, reference.At, escalation));
            }
        }
#pragma warning disable CA1031 // Best effort: a lost event is logged, never thrown into the transport's receive loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.StoreEventsReferenceFailed(_logger, ex, reference.EscalationId);
        }
    }

    /// <summary>One listening period: receiving, and announcing this feed as a listener until stopped.</summary>
#pragma warning disable CA1001 // StopAsync disposes the token source, once the announcing loop that uses it has ended.
    private sealed class Listening
#pragma warning restore CA1001
    {
        private readonly StoreEventFeed _feed;
        private readonly IEventTransport _transport;
        private readonly string _id = Guid.NewGuid().ToString("N");
        private readonly CancellationTokenSource _stop = new();
        private readonly IDisposable _receiving;
        private readonly Task _announcing;

        public Listening(StoreEventFeed feed, IEventTransport transport)
        {
            _feed = feed;
            _transport = transport;
            _receiving = transport.OnReceive(feed.Receive);
            RuntimeLog.StoreEventsListening(feed._logger, _id);
            _announcing = Task.Run(() => AnnounceAsync(_stop.Token));
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _announcing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _receiving.Dispose();
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5), _feed._time);
                await _transport.WithdrawListenerAsync(_id, deadline.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The announcement expires by itself.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            RuntimeLog.StoreEventsNotListening(_feed._logger, _id);
            _stop.Dispose();
        }

        private async Task AnnounceAsync(CancellationToken cancellationToken)
        {
            var failing = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var now = _feed._time.GetUtcNow().ToUnixTimeMilliseconds();
                    await _transport.AnnounceListenerAsync(_id, now + (long)AnnounceTimeToLive.TotalMilliseconds, now, cancellationToken).ConfigureAwait(false);
                    failing = false;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Retried at the next interval; logged once per failing spell.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (!failing)
                    {
                        failing = true;
                        RuntimeLog.StoreEventsAnnounceFailed(_feed._logger, ex);
                    }
                }

                await Task.Delay(failing ? TimeSpan.FromSeconds(1) : AnnounceInterval, _feed._time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
