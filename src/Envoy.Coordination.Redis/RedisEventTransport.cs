using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// The store-wide event feed over Redis (the event part of <see cref="RedisCoordination"/>, on its connection): payloads are
/// published on <c>{prefix}:events</c>, and listeners announce themselves in the sorted set <c>{prefix}:events:listeners</c>
/// (member: listener id, score: until when), whose key also expires when nobody renews it. Best effort: while Redis is down,
/// nothing is sent and nobody is seen listening.
/// </summary>
internal sealed class RedisEventTransport(IConnectionMultiplexer redis, Func<string> keyPrefix) : IEventTransport
{
    /// <summary>The pub/sub channel's name under the key prefix.</summary>
    public const string ChannelSuffix = ":events";

    /// <summary>The listeners' sorted set under the key prefix.</summary>
    public const string ListenersSuffix = ":events:listeners";

    private readonly Lock _gate = new();
    private Action<string>[] _handlers = [];
    private RedisChannel? _subscribed;

    /// <inheritdoc />
    public int MaxPayloadBytes => 256 * 1024;

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<string> payloads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var channel = Channel();
        var subscriber = redis.GetSubscriber();
        foreach (var payload in payloads)
        {
            await subscriber.PublishAsync(channel, payload).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> HasListenersAsync(long nowMs, CancellationToken cancellationToken = default) =>
        await redis.GetDatabase().SortedSetLengthAsync(Listeners(), nowMs, double.PositiveInfinity, Exclude.Start).WaitAsync(cancellationToken).ConfigureAwait(false) > 0;

    /// <inheritdoc />
    public async Task AnnounceListenerAsync(string listenerId, long untilMs, long nowMs, CancellationToken cancellationToken = default)
    {
        var key = Listeners();
        var batch = redis.GetDatabase().CreateBatch();
        var add = batch.SortedSetAddAsync(key, listenerId, untilMs);
        var forget = batch.SortedSetRemoveRangeByScoreAsync(key, double.NegativeInfinity, nowMs);
        var expire = batch.KeyExpireAsync(key, TimeSpan.FromMilliseconds(Math.Max(1, untilMs - nowMs)));
        batch.Execute();
        await Task.WhenAll(add, forget, expire).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WithdrawListenerAsync(string listenerId, CancellationToken cancellationToken = default) =>
        await redis.GetDatabase().SortedSetRemoveAsync(Listeners(), listenerId).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public IDisposable OnReceive(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
            if (_subscribed is null)
            {
                var channel = Channel();
                _subscribed = channel;
                // Fire and forget: recorded locally and sent when Redis is reachable (now, or after a reconnect).
                redis.GetSubscriber().Subscribe(channel, (_, message) => Receive(message), CommandFlags.FireAndForget);
            }
        }

        return new Subscription(this, handler);
    }

    private RedisChannel Channel() => RedisChannel.Literal(keyPrefix() + ChannelSuffix);

    private RedisKey Listeners() => keyPrefix() + ListenersSuffix;

    private void Receive(RedisValue message)
    {
        if ((string?)message is { } payload)
        {
            foreach (var handler in Volatile.Read(ref _handlers))
            {
                handler(payload);
            }
        }
    }

    private void Remove(Action<string> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => !ReferenceEquals(h, handler));
            if (_handlers.Length == 0 && _subscribed is { } channel)
            {
                _subscribed = null;
                redis.GetSubscriber().Unsubscribe(channel, null, CommandFlags.FireAndForget);
            }
        }
    }

    private sealed class Subscription(RedisEventTransport owner, Action<string> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
