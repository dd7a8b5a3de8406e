using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// Redis next to PostgreSQL: wake-ups between processes (pub/sub), the maintenance leader lock and the job status cache, on
/// one multiplexer. Redis is an accelerator: it is never the only copy of anything, a worker starts while it is down, and the
/// multiplexer reconnects by itself when it returns. Every key and the channel are under <see cref="KeyPrefix"/>, one per
/// store, so many apps can share one Redis.
/// </summary>
public sealed partial class RedisCoordination : ICoordinationAccelerator
{
    /// <summary>The key prefix before a store names itself (<see cref="BindToStore"/>) when none is configured.</summary>
    public const string DefaultKeyPrefix = "envoy";

    private readonly ConnectionMultiplexer _redis;
    private readonly RedisSignalTransport _signals;
    private readonly string? _configuredPrefix;
    private volatile string _keyPrefix;

    private RedisCoordination(ConnectionMultiplexer redis, string? keyPrefix)
    {
        _redis = redis;
        _configuredPrefix = keyPrefix;
        _keyPrefix = keyPrefix ?? DefaultKeyPrefix;
        _signals = new RedisSignalTransport(redis, _keyPrefix);
    }

    /// <summary>
    /// What every key and the pub/sub channel start with: the configured prefix, else <c>envoy:{store id}</c> once the store
    /// bound itself (<see cref="BindToStore"/>), else <see cref="DefaultKeyPrefix"/>.
    /// </summary>
    public string KeyPrefix => _keyPrefix;

    /// <summary>The pub/sub channel the signals travel on (<see cref="KeyPrefix"/> + <c>:signals</c>).</summary>
    public string SignalChannel => _signals.Channel;

    /// <inheritdoc />
    public bool IsAvailable => _redis.IsConnected;

    /// <inheritdoc />
    public IJobStatusCache CreateStatusCache(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        return new RedisJobStatusCache(_redis, _keyPrefix, scope);
    }

    /// <summary>Connects (without failing when Redis is down at start: it keeps trying in the background).</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</param>
    public static RedisCoordination Connect(string configuration) => Connect(configuration, null);

    /// <summary>Connects with a fixed key prefix (null: <c>envoy:{store id}</c>, from the store this serves).</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</param>
    /// <param name="keyPrefix">What every key and channel starts with; null to take the store's namespace.</param>
    public static RedisCoordination Connect(string configuration, string? keyPrefix)
    {
        if (keyPrefix is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(keyPrefix);
        }

        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        // Redis is an accelerator: a worker must not wait long at start for one that is down (the multiplexer keeps trying
        // in the background and reconnects by itself).
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 2000);
        options.ReconnectRetryPolicy = new ExponentialRetry(100, 2000);
        return new RedisCoordination(ConnectionMultiplexer.Connect(options), keyPrefix);
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
    /// <remarks>Without a configured prefix, keys and the channel move under <c>envoy:{storeId}</c>.</remarks>
    public void BindToStore(string storeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeId);
        if (_configuredPrefix is null)
        {
            _keyPrefix = DefaultKeyPrefix + ":" + storeId;
            _signals.UsePrefix(_keyPrefix);
        }
    }

    /// <inheritdoc />
    public ILeaderLock CreateLeaderLock(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new RedisLeaderLock(_redis, _keyPrefix + ":leader:" + name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _signals.DisposeAsync().ConfigureAwait(false);
        await _redis.CloseAsync().ConfigureAwait(false);
        _redis.Dispose();
    }
}
