using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;
using Envoy.TestServers;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// Wake-up signals between processes (<c>RedisSignalTransport</c>, through <see cref="RedisCoordination"/>): the signals of one
/// transaction travel as one message and arrive as the same signals, in order, in every other process (never back in the
/// sender), on the channel of the store's namespace.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class RedisSignalTransportTests(RedisFixture redis)
{
    [Fact]
    public async Task SignalsBroadcastTogether_ArriveInOrder_InTheOtherProcessOnly()
    {
        await using var sender = RedisCoordination.Connect(redis.Endpoint);
        await using var receiver = RedisCoordination.Connect(redis.Endpoint);
        var heardBySender = new ConcurrentQueue<JobSignal>();
        var heard = new ConcurrentQueue<JobSignal>();
        using var senderSubscription = sender.OnReceive(heardBySender.Enqueue);
        using var receiverSubscription = receiver.OnReceive(heard.Enqueue);
        await UntilSubscribedAsync(sender, heard);

        JobSignal[] signals =
        [
            new(JobSignalKind.Ready),
            new(JobSignalKind.Finished, "job-1"),
            new(JobSignalKind.Finished, "job-2"),
            new(JobSignalKind.Changed),
        ];
        sender.Broadcast(signals);
        sender.Broadcast(new JobSignal(JobSignalKind.Finished, "job-3"));

        await Redis.UntilAsync(() => heard.Count >= signals.Length + 1, "the receiver heard every signal");
        Assert.Equal([.. signals, new JobSignal(JobSignalKind.Finished, "job-3")], heard);
        Assert.Empty(heardBySender);
    }

    [Fact]
    public async Task StoresOnOneRedis_HearOnlyTheirOwnSignals()
    {
        var storeA = Guid.NewGuid().ToString("N");
        var storeB = Guid.NewGuid().ToString("N");
        await using var a1 = await Redis.ConnectAsync(redis.Endpoint, null);
        await using var a2 = await Redis.ConnectAsync(redis.Endpoint, null);
        await using var b1 = await Redis.ConnectAsync(redis.Endpoint, null);
        await using var b2 = await Redis.ConnectAsync(redis.Endpoint, null);
        a1.BindToStore(storeA);
        a2.BindToStore(storeA);
        b1.BindToStore(storeB);
        b2.BindToStore(storeB);
        var heardByA2 = new ConcurrentQueue<JobSignal>();
        var heardByB2 = new ConcurrentQueue<JobSignal>();
        using var a2Subscription = a2.OnReceive(heardByA2.Enqueue);
        using var b2Subscription = b2.OnReceive(heardByB2.Enqueue);
        await UntilSubscribedAsync(a1, heardByA2);
        await UntilSubscribedAsync(b1, heardByB2);

        var forA = new JobSignal(JobSignalKind.Finished, "job-of-a");
        a1.Broadcast(forA);
        await Redis.UntilAsync(() => heardByA2.Contains(forA), "the other process of store A heard its signal");
        var forB = new JobSignal(JobSignalKind.Finished, "job-of-b");
        b1.Broadcast(forB);
        await Redis.UntilAsync(() => heardByB2.Contains(forB), "the other process of store B heard its signal");

        // Redis sends a subscriber its messages in the order it took them: had B2 listened on A's channel, A's signal (taken and
        // delivered before B's was sent) would have come before B's.
        Assert.Equal([forB], heardByB2);
        Assert.Equal([forA], heardByA2);
        Assert.Equal("envoy:" + storeA + ":signals", a1.SignalChannel);
    }

    [Fact]
    public async Task AConfiguredPrefix_KeepsItsChannel_WhenTheStoreBindsItself()
    {
        var prefix = Redis.NewPrefix();
        await using var configured = RedisCoordination.Connect(redis.Endpoint, prefix);
        await using var unconfigured = RedisCoordination.Connect(redis.Endpoint);
        Assert.Equal(RedisCoordination.DefaultKeyPrefix + ":signals", unconfigured.SignalChannel);

        configured.BindToStore("store-1");
        unconfigured.BindToStore("store-1");

        Assert.Equal(prefix, configured.KeyPrefix);
        Assert.Equal(prefix + ":signals", configured.SignalChannel);
        Assert.Equal(prefix + ":events", configured.EventChannel);
        Assert.Equal("envoy:store-1", unconfigured.KeyPrefix);
        Assert.Equal("envoy:store-1:signals", unconfigured.SignalChannel);
        Assert.Equal("envoy:store-1:events", unconfigured.EventChannel);
    }

    /// <summary>
    /// Broadcasts until the receiver hears something (its subscription is sent in the background), then forgets it: a sentinel
    /// sent after the probes arrives after all of them (Redis delivers one publisher's messages in order), so once it is heard no
    /// probe is still on its way.
    /// </summary>
    private static async Task UntilSubscribedAsync(RedisCoordination sender, ConcurrentQueue<JobSignal> heard)
    {
        await Redis.UntilAsync(
            () =>
            {
                sender.Broadcast(new JobSignal(JobSignalKind.Changed));
                return !heard.IsEmpty;
            },
            "the receiver is subscribed");
        var sentinel = new JobSignal(JobSignalKind.Finished, "sentinel-" + Guid.NewGuid());
        sender.Broadcast(sentinel);
        await Redis.UntilAsync(() => heard.Contains(sentinel), "the receiver heard the sentinel");
        heard.Clear();
    }
}
