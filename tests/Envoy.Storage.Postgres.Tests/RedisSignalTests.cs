using System.Collections.Concurrent;
using Envoy.Coordination.Redis;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Envoy.TestServers;
using StackExchange.Redis;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// What goes through Redis next to the PostgreSQL store: the status cache is written only when a job's status changes, and
/// two apps on one Redis keep their signals and keys apart (the Redis pieces alone: tests/Envoy.Coordination.Redis.Tests).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RedisSignalTests(PostgresFixture postgres, RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StatusCache_IsWrittenWhenTheStatusChanges_NotForStepsThatKeepTheJobRunning()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var transport = RedisCoordination.Connect(redis.Endpoint);
        await using var store = new StatusCachedJobStore(new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }, transport), transport);
        await store.InitializeAsync();
        await using var reader = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var id = await store.CreateJobAsync(TestJobs.JobOf("cached"));
        var claimed = Assert.Single(await store.ClaimAsync(new ClaimRequest("worker", 1, TestJobs.T0, TestJobs.T0 + 30_000, ["cached"])));
        await WaitUntilCachedAsync(reader, StatusKey(store, id), JobStatus.Running, claimed.Version);

        Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, "worker", claimed.Version, TestJobs.T0 + 1, 30_000)]), true);

        // An absence, proved by a sentinel: the store queues its cache writes in order on one Redis connection before the commit
        // returns, so once a later transaction's write (the claim of another job) is in Redis, a write of this commit would be too.
        var sentinel = await store.CreateJobAsync(TestJobs.JobOf("cached-sentinel"));
        var sentinelClaim = Assert.Single(await store.ClaimAsync(new ClaimRequest("worker", 1, TestJobs.T0, TestJobs.T0 + 30_000, ["cached-sentinel"])));
        await WaitUntilCachedAsync(reader, StatusKey(store, sentinel), JobStatus.Running, sentinelClaim.Version);
        Assert.Equal(claimed.Version, (long)(await reader.GetDatabase().HashGetAsync(StatusKey(store, id), "v")));
        var done = TestJobs.RunningStepOf(id, "worker", claimed.Version + 1, TestJobs.T0 + 2, 30_000) with { Status = JobStatus.Done };
        Assert.Single(await store.CommitAsync([done with { Events = [] }]), true);

        // The running step left the entry at the claim's version; the finishing one wrote its own.
        await WaitUntilCachedAsync(reader, StatusKey(store, id), JobStatus.Done, claimed.Version + 2);
        Assert.Equal(JobStatus.Done, await store.GetJobStatusAsync(id));
    }

    [Fact]
    public async Task TwoAppsOnOneRedis_KeepTheirSignalsAndKeysApart_WhileTheProcessesOfOneAppShareThem()
    {
        var databaseA = await postgres.CreateFreshDatabaseAsync();
        var databaseB = await postgres.CreateFreshDatabaseAsync();
        // Two processes of app A, two of app B, on one Redis; without LISTEN, Redis alone carries signals between processes.
        await using var a1 = await OpenAsync(databaseA);
        await using var a2 = await OpenAsync(databaseA);
        await using var b1 = await OpenAsync(databaseB);
        await using var b2 = await OpenAsync(databaseB);
        var heardByA2 = new ConcurrentQueue<string>();
        var heardByB2 = new ConcurrentQueue<string>();
        using var a2Subscription = a2.Signals.Subscribe(s => Enqueue(heardByA2, s));
        using var b2Subscription = b2.Signals.Subscribe(s => Enqueue(heardByB2, s));
        await using var reader = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var server = reader.GetServer(reader.GetEndPoints()[0]);

        Assert.Equal(StoreId(a1), StoreId(a2));
        Assert.NotEqual(StoreId(a1), StoreId(b1));
        // Subscriptions are sent in the background: wait until both processes of each app listen on its channel.
        var channelA = RedisChannel.Literal($"envoy:{StoreId(a1)}:signals");
        var channelB = RedisChannel.Literal($"envoy:{StoreId(b1)}:signals");
        await WaitUntilAsync(() => server.SubscriptionSubscriberCount(channelA) == 2 && server.SubscriptionSubscriberCount(channelB) == 2);

        var jobA = await a1.CreateJobAsync(TestJobs.JobOf("app-a"));
        Assert.Equal(StoreOutcome.Ok, (await a1.FinishJobAsync(jobA, JobStatus.Cancelled, "cancelled", TestJobs.T0)).Outcome);
        await WaitUntilAsync(() => heardByA2.Contains(jobA));
        var jobB = await b1.CreateJobAsync(TestJobs.JobOf("app-b"));
        Assert.Equal(StoreOutcome.Ok, (await b1.FinishJobAsync(jobB, JobStatus.Cancelled, "cancelled", TestJobs.T0)).Outcome);
        await WaitUntilAsync(() => heardByB2.Contains(jobB));

        // Redis sends a subscriber its messages in the order it took them: had B2 heard A's channel, A's signal (published and
        // delivered before B's was sent) would have come first.
        Assert.DoesNotContain(jobA, heardByB2);
        Assert.DoesNotContain(jobB, heardByA2);
        // A status read caches what it found, under the store's namespace.
        Assert.Equal(JobStatus.Cancelled, await a1.GetJobStatusAsync(jobA));
        Assert.Equal(JobStatus.Cancelled, await b1.GetJobStatusAsync(jobB));
        await WaitUntilAsync(() => reader.GetDatabase().KeyExists(StatusKey(a1, jobA)) && reader.GetDatabase().KeyExists(StatusKey(b1, jobB)));
        var keys = (await server.KeysAsync(pattern: "*").ToListAsync()).Select(k => k.ToString()).Where(k => k.Contains(jobA, StringComparison.Ordinal) || k.Contains(jobB, StringComparison.Ordinal));
        Assert.Equal(new[] { StatusKey(a1, jobA), StatusKey(b1, jobB) }.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    private async Task<StatusCachedJobStore> OpenAsync(string database)
    {
        var transport = RedisCoordination.Connect(redis.Endpoint);
        var store = new StatusCachedJobStore(new PostgresJobStore(new PostgresConfig { ConnectionString = database, Listen = false }, transport), transport);
        await store.InitializeAsync();
        return store;
    }

    private static void Enqueue(ConcurrentQueue<string> heard, JobSignal signal)
    {
        if (signal.Kind == JobSignalKind.Finished && signal.JobId is { } id)
        {
            heard.Enqueue(id);
        }
    }

    /// <summary>A job's status entry: under the store's namespace, <c>envoy:{store id}</c>.</summary>
    private static string StatusKey(StatusCachedJobStore store, string id) => $"envoy:{StoreId(store)}:status:{id}";

    /// <summary>The identity of the PostgreSQL store behind the status cache.</summary>
    private static string? StoreId(StatusCachedJobStore store) => ((PostgresJobStore)store.Store).StoreId;

    private static async Task WaitUntilCachedAsync(ConnectionMultiplexer reader, string key, JobStatus status, long version)
    {
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
