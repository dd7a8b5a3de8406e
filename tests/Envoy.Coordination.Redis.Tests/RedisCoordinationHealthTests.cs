using Envoy.Runtime.Coordination;
using Envoy.TestServers;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>The health probe of <see cref="RedisCoordination"/>: a connected Redis answers; a stopped one fails at once.</summary>
public sealed class RedisCoordinationHealthTests
{
    [Fact]
    public async Task Ping_Succeeds_WhileRedisRuns_AndFails_OnceItIsStopped()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var server = await RedisServer.StartAsync(timeout.Token);
        await using var coordination = await Redis.ConnectAsync(server.Endpoint, Redis.NewPrefix());
        ICoordinationProbe probe = coordination;

        Assert.Equal("redis", probe.Kind);
        await probe.PingAsync(timeout.Token);

        await server.StopAsync(timeout.Token);
        await Redis.UntilAsync(() => !coordination.IsAvailable, "the coordination sees Redis gone");

        await Assert.ThrowsAsync<InvalidOperationException>(() => probe.PingAsync(timeout.Token));
    }
}
