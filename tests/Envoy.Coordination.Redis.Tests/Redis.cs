using StackExchange.Redis;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>What the tests share: connections that are up before the test uses them, key prefixes of their own, and waits on a condition with a deadline.</summary>
internal static class Redis
{
    /// <summary>The longest any single wait may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => "test:" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// Connects and waits until the multiplexer is connected: <see cref="RedisCoordination.Connect(string, string?)"/> returns
    /// at once even when Redis is slow to answer (an accelerator never holds up a start), and its pieces do nothing while
    /// disconnected.
    /// </summary>
    public static async Task<RedisCoordination> ConnectAsync(string endpoint, string? keyPrefix)
    {
        var coordination = RedisCoordination.Connect(endpoint, keyPrefix);
        await UntilAsync(() => coordination.IsAvailable, "the coordination connects to Redis");
        return coordination;
    }

    /// <summary>A plain connection for reading keys as Redis holds them.</summary>
    public static Task<ConnectionMultiplexer> ReaderAsync(string endpoint) => ConnectionMultiplexer.ConnectAsync(endpoint);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <see cref="Timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string because) => UntilAsync(() => Task.FromResult(condition()), because);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <see cref="Timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string because)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "Timed out waiting until " + because + ".");
            await Task.Delay(20);
        }
    }
}
