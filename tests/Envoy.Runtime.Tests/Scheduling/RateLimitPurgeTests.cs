using System.Collections.Concurrent;
using Envoy.Runtime.Storage;
using Envoy.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// The maintenance leader purges rate-limit usage that has left its window (the scopes nobody asks again would otherwise keep
/// their rows forever): once at once, then once per <c>RateLimitPurge.Interval</c> (a minute).
/// </summary>
public sealed class RateLimitPurgeTests : SchedulerTestBase
{
    [Fact]
    public async Task Leader_PurgesUsageThatLeftItsWindow_AtOnceAndThenOncePerMinute()
    {
        var time = NewClock();
        var calls = new ConcurrentBag<string>();
        await using var sqlite = new SqliteJobStore(new SqliteConfig { Path = DatabasePath, FullSync = false });
        await sqlite.InitializeAsync();
        await sqlite.RateLimits!.RecordRateUsageAsync("idle-scope", 3, 1_000, time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(1, await UsageRowsAsync());

        await using var scheduler = new Scheduler(
            RateLimitCountingStore.Wrap(sqlite, calls, keepsRateLimits: true),
            new SchedulerOptions { MaintenanceInterval = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromSeconds(1) },
            time,
            ownsStore: false);
        scheduler.AddFlow("limited", OneState(async ctx => ctx), new FlowOptions { RateLimit = new RateLimit(10, TimeSpan.FromSeconds(1)) });
        await scheduler.StartAsync();

        // The first pass of a new leader purges at once: the usage is still inside its window, so it stays.
        await WaitUntilAsync(() => Task.FromResult(Purges(calls) == 1), "the leader's first purge");
        Assert.Equal(1, await UsageRowsAsync());

        // A minute later (the clock moves by the leader's one-second timers), the next purge deletes it: exactly one more.
        var second = WaitUntilAsync(() => Task.FromResult(Purges(calls) == 2), "the purge a minute later", TimeSpan.FromSeconds(60));
        await AdvanceArmedTimersUntilAsync(time, second, due => due == TimeSpan.FromSeconds(1));
        Assert.True(time.GetUtcNow() >= new DateTimeOffset(2030, 1, 1, 0, 1, 0, TimeSpan.Zero), "The leader purges at most once a minute.");
        Assert.Equal(0, await UsageRowsAsync());
    }

    private static int Purges(ConcurrentBag<string> calls) => calls.Count(c => c == nameof(IRateLimitStore.PurgeRateLimitsAsync));

    private async Task<long> UsageRowsAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM rate_limit_usage";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
