using Envoy.TestServers;
using StackExchange.Redis;

namespace Envoy.Coordination.Redis.Tests;

/// <summary>
/// The maintenance leader lock in one Redis key (<c>RedisLeaderLock</c>, made by <see cref="RedisCoordination.CreateLeaderLock"/>):
/// one holder at a time, renewed by its holder, freed by a release or by its time-to-live running out, and then taken by the
/// next who tries, while the old holder learns at its next renewal that it no longer leads.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class RedisLeaderLockTests(RedisFixture redis)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task OneHolderAtATime_TheOtherTakesItOnlyAfterARelease()
    {
        var prefix = Redis.NewPrefix();
        await using var process1 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var process2 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var first = process1.CreateLeaderLock("maintenance");
        await using var second = process2.CreateLeaderLock("maintenance");

        Assert.True(await first.TryHoldAsync(Long));
        Assert.False(await second.TryHoldAsync(Long));
        Assert.True(await first.TryHoldAsync(Long)); // its holder renews it
        Assert.False(await second.TryHoldAsync(Long));

        await second.ReleaseAsync(); // not its lock: nothing happens
        Assert.False(await second.TryHoldAsync(Long));
        await first.ReleaseAsync();

        Assert.True(await second.TryHoldAsync(Long));
        Assert.False(await first.TryHoldAsync(Long));
    }

    [Fact]
    public async Task LocksOfOtherNamesOrOtherPrefixes_DoNotExcludeEachOther()
    {
        var prefix = Redis.NewPrefix();
        await using var process1 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var process2 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var otherApp = await Redis.ConnectAsync(redis.Endpoint, Redis.NewPrefix());
        await using var maintenance = process1.CreateLeaderLock("maintenance");
        await using var other = process2.CreateLeaderLock("other");
        await using var otherAppsMaintenance = otherApp.CreateLeaderLock("maintenance");

        Assert.True(await maintenance.TryHoldAsync(Long));
        Assert.True(await other.TryHoldAsync(Long));
        Assert.True(await otherAppsMaintenance.TryHoldAsync(Long));
        await using var reader = await Redis.ReaderAsync(redis.Endpoint);
        Assert.True(await reader.GetDatabase().KeyExistsAsync(prefix + ":leader:maintenance"));
    }

    [Fact]
    public async Task AHolderThatStopsRenewing_LosesTheLockWhenItExpires_AndLearnsItAtItsNextRenewal()
    {
        var prefix = Redis.NewPrefix();
        await using var process1 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var process2 = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var reader = await Redis.ReaderAsync(redis.Endpoint);
        RedisKey key = prefix + ":leader:maintenance";
        await using var first = process1.CreateLeaderLock("maintenance");
        await using var second = process2.CreateLeaderLock("maintenance");

        Assert.True(await first.TryHoldAsync(TimeSpan.FromMilliseconds(300)));
        var timeToLive = await reader.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.True(timeToLive is null || timeToLive <= TimeSpan.FromMilliseconds(300), "The lock's key lives " + timeToLive + ", more than asked.");
        var holder = await reader.GetDatabase().StringGetAsync(key);

        // The first holder renews no more: once the key expired, the second takes the lock.
        await Redis.UntilAsync(() => second.TryHoldAsync(Long), "the second holder takes the expired lock");

        Assert.NotEqual(holder, await reader.GetDatabase().StringGetAsync(key));
        Assert.False(await first.TryHoldAsync(Long));
    }

    [Fact]
    public async Task ARenewal_ExtendsTheTimeToLive()
    {
        var prefix = Redis.NewPrefix();
        await using var process = await Redis.ConnectAsync(redis.Endpoint, prefix);
        await using var reader = await Redis.ReaderAsync(redis.Endpoint);
        await using var leaderLock = process.CreateLeaderLock("maintenance");

        Assert.True(await leaderLock.TryHoldAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await leaderLock.TryHoldAsync(TimeSpan.FromMinutes(10)));

        var timeToLive = await reader.GetDatabase().KeyTimeToLiveAsync(prefix + ":leader:maintenance");
        Assert.NotNull(timeToLive);
        Assert.True(timeToLive > TimeSpan.FromMinutes(5), "The renewed lock lives only " + timeToLive + ".");
    }
}
