using System.Text;
using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// Carries wake-up signals between processes through Redis pub/sub (the signal part of <see cref="RedisCoordination"/>, on its
/// connection). Redis is an accelerator: when it is down, broadcasts are dropped (PostgreSQL's LISTEN/NOTIFY and the safety
/// poll still wake workers), and the multiplexer reconnects by itself.
/// </summary>
internal sealed class RedisSignalTransport : IAsyncDisposable
{
    /// <summary>The pub/sub channel's name under the coordination's key prefix.</summary>
    public const string ChannelSuffix = ":signals";

    private readonly IConnectionMultiplexer _redis;
    private readonly ISubscriber _subscriber;
    private RedisChannel _channel;
    private const char Separator = '\n';

    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly Lock _gate = new();
    private Action<JobSignal>[] _handlers = [];

    public RedisSignalTransport(IConnectionMultiplexer redis, string keyPrefix)
    {
        _redis = redis;
        _subscriber = redis.GetSubscriber();
        _channel = Subscribe(keyPrefix);
    }

    /// <summary>The channel this transport uses now.</summary>
    public string Channel
    {
        get
        {
            lock (_gate)
            {
                return _channel.ToString();
            }
        }
    }

    /// <summary>Moves to the channel of another key prefix (the store's, once it is known).</summary>
    public void UsePrefix(string keyPrefix)
    {
        lock (_gate)
        {
            var old = _channel;
            _channel = Subscribe(keyPrefix);
            if (old != _channel)
            {
                _subscriber.Unsubscribe(old, null, CommandFlags.FireAndForget);
            }
        }
    }

    private RedisChannel Subscribe(string keyPrefix)
    {
        var channel = RedisChannel.Literal(keyPrefix + ChannelSuffix);
        // Fire and forget: the subscription is recorded locally and sent when Redis is reachable (now, or after a reconnect);
        // a synchronous subscribe would throw at start while Redis is down, and a worker must start without its accelerator.
        _subscriber.Subscribe(channel, (_, message) => Receive(message), CommandFlags.FireAndForget);
        return channel;
    }

    /// <summary>Sends a signal to the other processes (dropped while Redis is unreachable).</summary>
    public void Broadcast(JobSignal signal) => Broadcast([signal]);

    /// <summary>
    /// Sends signals to the other processes in one message, one per line after the origin (dropped while Redis is
    /// unreachable): a transaction that finished many jobs costs one publish, not one each.
    /// </summary>
    public void Broadcast(IReadOnlyList<JobSignal> signals)
    {
        if (signals.Count == 0 || !_redis.IsConnected)
        {
            return;
        }

        var message = new StringBuilder(_origin.Length + 1 + (signals.Count * 40)).Append(_origin).Append('|');
        for (var i = 0; i < signals.Count; i++)
        {
            if (i > 0)
            {
                message.Append(Separator);
            }

            var signal = signals[i];
            _ = signal.Kind switch
            {
                JobSignalKind.Ready => message.Append('r'),
                JobSignalKind.Finished => message.Append("f:").Append(signal.JobId),
                _ => message.Append('c'),
            };
        }

        RedisChannel channel;
        lock (_gate)
        {
            channel = _channel; // a struct: read whole, never torn by a concurrent UsePrefix
        }

        _subscriber.Publish(channel, message.ToString(), CommandFlags.FireAndForget);
    }

    /// <summary>Calls <paramref name="handler"/> for each signal received from another process.</summary>
    public IDisposable OnReceive(Action<JobSignal> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    public async ValueTask DisposeAsync() =>
        await _subscriber.UnsubscribeAllAsync(CommandFlags.FireAndForget).ConfigureAwait(false); // Redis may be down: never wait on it

    private void Receive(RedisValue message)
    {
        var text = (string?)message;
        var bar = text?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        if (text is null || bar < 0 || text.AsSpan(0, bar).SequenceEqual(_origin))
        {
            return;
        }

        var handlers = Volatile.Read(ref _handlers);
        foreach (var payload in text[(bar + 1)..].Split(Separator))
        {
            var signal = payload switch
            {
                "r" => new JobSignal(JobSignalKind.Ready),
                _ when payload.StartsWith("f:", StringComparison.Ordinal) => new JobSignal(JobSignalKind.Finished, payload[2..]),
                _ => new JobSignal(JobSignalKind.Changed),
            };
            foreach (var handler in handlers)
            {
                handler(signal);
            }
        }
    }

    private void Remove(Action<JobSignal> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => !ReferenceEquals(h, handler));
        }
    }

    private sealed class Subscription(RedisSignalTransport owner, Action<JobSignal> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
