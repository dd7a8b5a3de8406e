using Envoy.Runtime.Coordination;
using Envoy.TestServers;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// The job status cache in Redis (<c>RedisJobStatusCache</c>, made by <see cref="RedisCoordination.CreateStatusCache"/>):
/// what one process puts, another reads; a late write of an older version is ignored; forgotten entries read as misses; the
/// status counts are kept per scope for the time asked.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class RedisJobStatusCacheTests(RedisFixture redis)
{
    [Fact]
    public async Task PutInOneProcess_IsReadInAnother_UntilItIsForgotten()
    {
        var prefix = Redis.NewPrefix();
        await using var writer = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var reader = await Redis.ConnectAsync(redis.Endpoint, prefix);
        var written = writer.CreateStatusCache("store");
        var read = reader.CreateStatusCache("store");
        var running = new CachedJobStatus("job-1", JobStatus.Running, 3);

        written.Put([running, new CachedJobStatus("job-2", JobStatus.Pending, 1)]);

        await Redis.UntilAsync(async () => await read.GetAsync("job-1") == running, "the other process reads job-1's status");
        await Redis.UntilAsync(async () => await read.GetAsync("job-2") == new CachedJobStatus("job-2", JobStatus.Pending, 1), "the other process reads job-2's status");

        written.Forget(["job-1"]);

        await Redis.UntilAsync(async () => await read.GetAsync("job-1") is null, "job-1 is forgotten");
        await using var raw = await Redis.ReaderAsync(redis.Endpoint);
        Assert.False(await raw.GetDatabase().KeyExistsAsync(prefix + ":status:job-1"));
        Assert.True(await raw.GetDatabase().KeyExistsAsync(prefix + ":status:job-2"));
    }

    [Fact]
    public async Task ALateWriteOfAnOlderVersion_IsIgnored_AWriteOfTheSameOrANewerOneIsNot()
    {
        var prefix = Redis.NewPrefix();
        await using var process = await Redis.ConnectAsync(redis.Endpoint, prefix);
        var cache = process.CreateStatusCache("store");

        cache.Put([new CachedJobStatus("job", JobStatus.Done, 5)]);
        cache.Put([new CachedJobStatus("job", JobStatus.Running, 4)]);
        // The writes of one process travel in order on its one connection: once a later write is in Redis, so are these.
        cache.Put([new CachedJobStatus("sentinel-1", JobStatus.Pending, 1)]);
        await Redis.UntilAsync(async () => await cache.GetAsync("sentinel-1") is not null, "the first sentinel is cached");
        Assert.Equal(new CachedJobStatus("job", JobStatus.Done, 5), await ReadAsync(cache, "job"));

        cache.Put([new CachedJobStatus("job", JobStatus.Failed, 5)]);
        cache.Put([new CachedJobStatus("sentinel-2", JobStatus.Pending, 1)]);
        await Redis.UntilAsync(async () => await cache.GetAsync("sentinel-2") is not null, "the second sentinel is cached");
        Assert.Equal(new CachedJobStatus("job", JobStatus.Failed, 5), await ReadAsync(cache, "job"));

        cache.Put([new CachedJobStatus("job", JobStatus.Pending, 6)]);
        await Redis.UntilAsync(async () => await cache.GetAsync("job") == new CachedJobStatus("job", JobStatus.Pending, 6), "the newer version is cached");
    }

    [Fact]
    public async Task Counts_AreKeptPerScope_ForTheTimeAsked()
    {
        var prefix = Redis.NewPrefix();
        await using var process = await Redis.ConnectAsync(redis.Endpoint, prefix);
        var cache = process.CreateStatusCache("store-a");
        var otherScope = process.CreateStatusCache("store-b");

        cache.PutCounts(new Dictionary<JobStatus, long> { [JobStatus.Pending] = 2, [JobStatus.Done] = 7 }, TimeSpan.FromMinutes(1));

        IReadOnlyDictionary<JobStatus, long>? counts = null;
        await Redis.UntilAsync(async () => (counts = await cache.GetCountsAsync()) is not null, "the counts are cached");
        Assert.Equal(2, counts![JobStatus.Pending]);
        Assert.Equal(7, counts[JobStatus.Done]);
        Assert.All(Enum.GetValues<JobStatus>().Where(s => s is not JobStatus.Pending and not JobStatus.Done), s => Assert.Equal(0, counts[s]));
        await using var raw = await Redis.ReaderAsync(redis.Endpoint);
        var timeToLive = await raw.GetDatabase().KeyTimeToLiveAsync(prefix + ":counts:store-a");
        Assert.NotNull(timeToLive);
        Assert.True(timeToLive <= TimeSpan.FromMinutes(1), "The counts live " + timeToLive + ", more than asked.");
        Assert.False(await raw.GetDatabase().KeyExistsAsync(prefix + ":counts:store-b"));
        Assert.Null(await otherScope.GetCountsAsync());
    }

    /// <summary>A cached entry known to be in Redis (a read may miss under load: it gives up after a short timeout, by design).</summary>
    private static async Task<CachedJobStatus?> ReadAsync(IJobStatusCache cache, string jobId)
    {
        CachedJobStatus? status = null;
        await Redis.UntilAsync(async () => (status = await cache.GetAsync(jobId)) is not null, jobId + " is read");
        return status;
    }
}
