using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// Redis next to PostgreSQL: wake-ups between processes (pub/sub), the maintenance leader lock and the job status cache, on
/// one multiplexer. Redis is an accelerator: it is never the only copy of anything, a worker starts while it is down, and the
/// multiplexer reconnects by itself when it returns.
/// </summary>
public sealed class RedisCoordination : ICoordinationAccelerator
{
    private readonly ConnectionMultiplexer _redis;
    private readonly RedisSignalTransport _signals;

    private RedisCoordination(ConnectionMultiplexer redis)
    {
        _redis = redis;
        _signals = new RedisSignalTransport(redis);
    }

    /// <inheritdoc />
    public bool IsAvailable => _redis.IsConnected;

    /// <inheritdoc />
    public IJobStatusCache CreateStatusCache(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        return new RedisJobStatusCache(_redis, scope);
    }

    /// <summary>Connects (without failing when Redis is down at start: it keeps trying in the background).</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</param>
    public static RedisCoordination Connect(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        // Redis is an accelerator: a worker must not wait long at start for one that is down (the multiplexer keeps trying
        // in the background and reconnects by itself).
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 2000);
        options.ReconnectRetryPolicy = new ExponentialRetry(100, 2000);
        return new RedisCoordination(ConnectionMultiplexer.Connect(options));
    }

    /// <inheritdoc />
    public void Broadcast(JobSignal signal) => _signals.Broadcast(signal);

    /// <inheritdoc />
    public void Broadcast(IReadOnlyList<JobSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        _signals.Broadcast(signals);
    }

    /// <inheritdoc />
    public IDisposable OnReceive(Action<JobSignal> handler) => _signals.OnReceive(handler);

    /// <inheritdoc />
    public ILeaderLock CreateLeaderLock(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new RedisLeaderLock(_redis, "envoy:leader:" + name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _signals.DisposeAsync().ConfigureAwait(false);
        await _redis.CloseAsync().ConfigureAwait(false);
        _redis.Dispose();
    }
}
