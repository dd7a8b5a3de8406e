using System.Net.Sockets;
using StackExchange.Redis;

namespace Envoy.TestServers.Tests;

/// <summary>One server for the class; every test leaves it running, so the order xunit picks does not matter.</summary>
public sealed class RedisServerTests(RedisFixture fixture) : IClassFixture<RedisFixture>
{
    private RedisServer Server => fixture.Server;

    [Fact]
    public async Task Start_ListensOnLoopback_AndStoresValues()
    {
        Assert.Equal($"127.0.0.1:{Server.Port}", Server.Endpoint);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        var db = redis.GetDatabase();

        await db.StringSetAsync("greeting", "hello");

        Assert.Equal("hello", (string?)await db.StringGetAsync("greeting"));
    }

    [Fact]
    public async Task FlushAll_RemovesEveryKey()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        await redis.GetDatabase(0).StringSetAsync("flushed", "1");
        await redis.GetDatabase(3).StringSetAsync("flushed", "3");

        await Server.FlushAllAsync();

        Assert.False(await redis.GetDatabase(0).KeyExistsAsync("flushed"));
        Assert.False(await redis.GetDatabase(3).KeyExistsAsync("flushed"));
    }

    [Fact]
    public async Task Stop_RefusesConnections_UntilStartedAgainOnTheSamePort_Empty()
    {
        await using (var before = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint))
        {
            await before.GetDatabase().StringSetAsync("lost-on-restart", "x");
        }

        var port = Server.Port;
        var pid = Server.Pid;

        await Server.StopAsync();

        Assert.False(Server.IsRunning);
        Assert.False(Processes.IsAlive(pid));
        using (var client = new TcpClient())
        {
            await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(Server.Host, port));
        }

        await Server.StartAgainAsync();

        Assert.Equal(port, Server.Port);
        Assert.NotEqual(pid, Server.Pid);
        await using var after = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        Assert.False(await after.GetDatabase().KeyExistsAsync("lost-on-restart"));
    }

    [Fact]
    public async Task Kill_EndsTheProcess_AndStartAgainServesOnTheSamePort()
    {
        var port = Server.Port;
        var pid = Server.Pid;

        await Server.KillAsync();

        Assert.False(Processes.IsAlive(pid));

        await Server.StartAgainAsync();

        Assert.Equal(port, Server.Port);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        Assert.True((await redis.GetDatabase().PingAsync()) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Start_WithoutRedis_SaysHowToInstallIt()
    {
        var options = new RedisServerOptions { ServerPath = "/nonexistent/redis-server" };

        var error = await Assert.ThrowsAsync<TestServerException>(() => RedisServer.StartAsync(options));

        Assert.Contains("apt-get install -y redis-server", error.Message, StringComparison.Ordinal);
    }
}
