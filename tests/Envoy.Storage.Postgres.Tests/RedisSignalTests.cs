using System.Collections.Concurrent;
using Envoy.Coordination.Redis;
using Envoy.Runtime;
using Envoy.Runtime.Coordination;
using Envoy.TestServers;
using StackExchange.Redis;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// What goes through Redis besides the leader lock: the signals of one transaction travel as one message and arrive as the
/// same signals, in order, in every other process (never back in the sender); and the status cache is written only when a
/// job's status changes.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RedisSignalTests(PostgresFixture postgres, RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

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

        await WaitUntilAsync(() => heard.Count >= signals.Length + 1);
        Assert.Equal([.. signals, new JobSignal(JobSignalKind.Finished, "job-3")], heard);
        Assert.Empty(heardBySender);
    }

    [Fact]
    public async Task StatusCache_IsWrittenWhenTheStatusChanges_NotForStepsThatKeepTheJobRunning()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresStoreOptions { ConnectionString = connectionString }, RedisCoordination.Connect(redis.Endpoint));
        await store.InitializeAsync();
        await using var reader = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var id = await store.CreateJobAsync(TestJobs.JobOf("cached"));
        var claimed = Assert.Single(await store.ClaimAsync(new ClaimRequest("worker", 1, TestJobs.T0, TestJobs.T0 + 30_000, ["cached"])));
        await WaitUntilCachedAsync(reader, id, JobStatus.Running, claimed.Version);

        Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, "worker", claimed.Version, TestJobs.T0 + 1, 30_000)]), true);

        // An absence, so a bounded wait: a write of this commit would land within milliseconds.
        await Task.Delay(300);
        Assert.Equal(claimed.Version, (long)(await reader.GetDatabase().HashGetAsync("envoy:status:" + id, "v")));
        var done = TestJobs.RunningStepOf(id, "worker", claimed.Version + 1, TestJobs.T0 + 2, 30_000) with { Status = JobStatus.Done };
        Assert.Single(await store.CommitAsync([done with { Events = [] }]), true);

        // The running step left the entry at the claim's version; the finishing one wrote its own.
        await WaitUntilCachedAsync(reader, id, JobStatus.Done, claimed.Version + 2);
        Assert.Equal(JobStatus.Done, await store.GetJobStatusAsync(id));
    }

    /// <summary>Broadcasts until the receiver hears something (its subscription is sent in the background), then forgets it.</summary>
    private static async Task UntilSubscribedAsync(RedisCoordination sender, ConcurrentQueue<JobSignal> heard)
    {
        await WaitUntilAsync(() =>
        {
            sender.Broadcast(new JobSignal(JobSignalKind.Changed));
            return !heard.IsEmpty;
        });
        await Task.Delay(100);
        heard.Clear();
    }

    private static async Task WaitUntilCachedAsync(ConnectionMultiplexer reader, string id, JobStatus status, long version)
    {
        var key = new RedisKey("envoy:status:" + id);
        await WaitUntilAsync(() =>
        {
            var entry = reader.GetDatabase().HashGet(key, ["s", "v"]);
            return entry[0] == (int)status && entry[1] == version;
        });
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out.");
            await Task.Delay(20);
        }
    }
}
