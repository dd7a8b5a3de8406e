using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;
using Envoy.TestServers;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// The store-wide event feed over Redis (<c>RedisEventTransport</c>, the <see cref="IEventTransport"/> of
/// <see cref="RedisCoordination"/>): payloads reach every process, the sender's included, in the order sent; listeners
/// announce themselves until a time, are seen until then, and are gone once withdrawn or ended.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class RedisEventTransportTests(RedisFixture redis)
{
    [Fact]
    public async Task Payloads_ReachEveryProcess_TheSendersIncluded_InOrder()
    {
        var prefix = Redis.NewPrefix();
        await using var senderCoordination = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var receiverCoordination = await Redis.ConnectAsync(redis.Endpoint, prefix);
        IEventTransport sender = senderCoordination;
        IEventTransport receiver = receiverCoordination;
        var heardBySender = new ConcurrentQueue<string>();
        var heard = new ConcurrentQueue<string>();
        using var senderSubscription = sender.OnReceive(heardBySender.Enqueue);
        using var receiverSubscription = receiver.OnReceive(heard.Enqueue);

        // Subscriptions are sent in the background: probe until both hear, then a sentinel after which no probe is on its way.
        await Redis.UntilAsync(
            async () =>
            {
                await sender.SendAsync(["probe"]);
                return !heard.IsEmpty && !heardBySender.IsEmpty;
            },
            "both processes are subscribed");
        await sender.SendAsync(["sentinel"]);
        await Redis.UntilAsync(() => heard.Contains("sentinel") && heardBySender.Contains("sentinel"), "both heard the sentinel");
        heard.Clear();
        heardBySender.Clear();

        string[] payloads = ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"];
        await sender.SendAsync(payloads);

        await Redis.UntilAsync(() => heard.Count >= payloads.Length && heardBySender.Count >= payloads.Length, "both heard every payload");
        Assert.Equal(payloads, heard);
        Assert.Equal(payloads, heardBySender);
    }

    [Fact]
    public async Task Listeners_AreSeenUntilTheirTime_AndNotOnceWithdrawn()
    {
        var prefix = Redis.NewPrefix();
        await using var listenerCoordination = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var publisherCoordination = await Redis.ConnectAsync(redis.Endpoint, prefix);
        IEventTransport listener = listenerCoordination;
        IEventTransport publisher = publisherCoordination;
        const long Now = 1_000_000;

        Assert.False(await publisher.HasListenersAsync(Now));
        await listener.AnnounceListenerAsync("listener-1", Now + 60_000, Now);
        Assert.True(await publisher.HasListenersAsync(Now + 30_000));
        Assert.False(await publisher.HasListenersAsync(Now + 60_000));

        await listener.AnnounceListenerAsync("listener-2", Now + 90_000, Now);
        Assert.True(await publisher.HasListenersAsync(Now + 70_000));
        await listener.WithdrawListenerAsync("listener-2");
        Assert.False(await publisher.HasListenersAsync(Now + 70_000));
        Assert.True(await publisher.HasListenersAsync(Now + 30_000));
    }

    [Fact]
    public async Task AnAnnouncement_ForgetsTheListenersThatEnded()
    {
        var prefix = Redis.NewPrefix();
        await using var coordination = await Redis.ConnectAsync(redis.Endpoint, prefix);
        IEventTransport transport = coordination;
        await using var raw = await Redis.ReaderAsync(redis.Endpoint);
        var listeners = prefix + ":events:listeners";
        const long Now = 1_000_000;

        // Each announcement sets the set's expiry to its own horizon (until - now): both are a minute here, so nothing expires
        // while the test runs however slow the machine.
        await transport.AnnounceListenerAsync("ended", Now + 1_000, Now - 59_000);
        await transport.AnnounceListenerAsync("still-there", Now + 60_000, Now);
        Assert.Equal(2, await raw.GetDatabase().SortedSetLengthAsync(listeners));

        await transport.AnnounceListenerAsync("new", Now + 60_000, Now + 2_000);

        var members = (await raw.GetDatabase().SortedSetRangeByRankAsync(listeners)).Select(m => m.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(["new", "still-there"], members);
        var timeToLive = await raw.GetDatabase().KeyTimeToLiveAsync(listeners);
        Assert.NotNull(timeToLive);
        Assert.True(timeToLive <= TimeSpan.FromMinutes(1), "The listeners' set lives " + timeToLive + ", more than the last announcement asked.");
    }
}
