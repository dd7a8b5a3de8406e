using Envoy.Runtime.Coordination;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis;

/// <summary>
/// A leader lock in one Redis key: set to this holder's token with a time-to-live when free, its time-to-live renewed while the
/// token is still this holder's (a compare-and-set in one script). A flush or restart of Redis frees it; whoever tries next
/// takes it, and the old holder learns at its next renewal that it no longer leads.
/// </summary>
internal sealed class RedisLeaderLock(IConnectionMultiplexer redis, string key) : ILeaderLock
{
    private const string HoldScript = """
        local owner = redis.call('GET', KEYS[1])
        if owner == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if not owner and redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly RedisKey _key = key;
    private readonly RedisValue _token = Guid.NewGuid().ToString("N");

    public string Description => "Redis lock";

    public async Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return false;
        }

        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(HoldScript, [_key], [_token, (long)timeToLive.TotalMilliseconds]).WaitAsync(cancellationToken).ConfigureAwait(false);
            return (long)result == 1;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [_key], [_token]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Unreleased, it expires by itself.
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
