using System.Threading.Channels;
using Envoy.Runtime.Coordination;
using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// Sends this scheduler's events to the other processes of its store, off the commit path: <see cref="Offer"/> only queues
/// (bounded; never blocks, never waits on the transport), and a background loop sends what came in within
/// <see cref="FlushInterval"/> as one batch, split into payloads that fit the transport's limit. Nothing is sent while no
/// process listens: whether one does is asked at most every <see cref="PresenceInterval"/>, and while the last answer is "no"
/// and still fresh, events are dropped as they are offered. A failed send is logged once and its events dropped (best effort).
/// </summary>
internal sealed class StoreEventPublisher : IAsyncDisposable
{
    /// <summary>How long a batch gathers events before it is sent.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long an answer to "does anyone listen?" is trusted.</summary>
    public static readonly TimeSpan PresenceInterval = TimeSpan.FromSeconds(2);

    /// <summary>How many events may wait to be sent before newer ones are dropped.</summary>
    public const int QueueCapacity = 50_000;

    private readonly IEventTransport _transport;
    private readonly string _origin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<SchedulerEvent> _queue = Channel.CreateBounded<SchedulerEvent>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    // 0: nobody listened at the last check; 1: somebody did. Trusted until _checkedAt + PresenceInterval.
    private volatile int _listening;
    private long _checkedAt = long.MinValue;
    private bool _failing;
    private long _offered;
    private long _dropped;
    private long _sent;
    private long _payloads;

    public StoreEventPublisher(IEventTransport transport, string origin, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _origin = origin;
        _time = time;
        _logger = logger;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// False while the last check found no listener and is still fresh: events offered now would be dropped, so callers may skip
    /// making them.
    /// </summary>
    public bool MayHaveListeners => _listening == 1 || !IsFresh;

    /// <summary>Events handed to <see cref="Offer"/> (for tests and the benchmark).</summary>
    public long Offered => Interlocked.Read(ref _offered);

    /// <summary>Events dropped: nobody listened, the queue was full, a send failed or an event was too large.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events sent to the transport.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Payloads (messages, NOTIFYs) sent to the transport.</summary>
    public long Payloads => Interlocked.Read(ref _payloads);

    private bool IsFresh
    {
        get
        {
            var checkedAt = Interlocked.Read(ref _checkedAt);
            return checkedAt != long.MinValue && _time.GetElapsedTime(checkedAt) < PresenceInterval;
        }
    }

    /// <summary>Queues an event for the other processes, or drops it: never blocks.</summary>
    public void Offer(SchedulerEvent e)
    {
        Interlocked.Increment(ref _offered);
        if (!MayHaveListeners || !_queue.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<SchedulerEvent>();
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Gather what comes within the flush interval: one batch, few messages, however many steps commit meanwhile.
            await Task.Delay(FlushInterval, _time, cancellationToken).ConfigureAwait(false);
            batch.Clear();
            while (_queue.Reader.TryRead(out var e))
            {
                batch.Add(e);
            }

            if (batch.Count > 0)
            {
                await SendAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task SendAsync(List<SchedulerEvent> batch, CancellationToken cancellationToken)
    {
        try
        {
            if (!await HasListenersAsync(cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Add(ref _dropped, batch.Count);
                return;
            }

            var payloads = EventWire.Encode(_origin, batch, _transport.MaxPayloadBytes, out var skipped);
            if (skipped > 0)
            {
                Interlocked.Add(ref _dropped, skipped);
                RuntimeLog.StoreEventsTooLarge(_logger, skipped);
            }

            await _transport.SendAsync(payloads, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _sent, batch.Count - skipped);
            Interlocked.Add(ref _payloads, payloads.Count);
            if (_failing)
            {
                _failing = false;
                RuntimeLog.StoreEventsSendRecovered(_logger);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            throw;
        }
#pragma warning disable CA1031 // Best effort: a failed send drops its events and never reaches the steps.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Add(ref _dropped, batch.Count);
            if (!_failing)
            {
                _failing = true;
                RuntimeLog.StoreEventsSendFailed(_logger, ex);
            }
        }
    }

    private async Task<bool> HasListenersAsync(CancellationToken cancellationToken)
    {
        if (!IsFresh)
        {
            bool listening;
            try
            {
                listening = await _transport.HasListenersAsync(_time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (!_failing)
                {
                    _failing = true;
                    RuntimeLog.StoreEventsPresenceFailed(_logger, ex);
                }

                listening = false;
            }

            _listening = listening ? 1 : 0;
            Interlocked.Exchange(ref _checkedAt, _time.GetTimestamp());
        }

        return _listening == 1;
    }
}
