using System.Collections.Concurrent;
using Envoy.Runtime.Storage;
using Envoy.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="FlowOptions.RateLimit"/>: its validation, that only flows with one ask the store (one call per block of permits,
/// <see cref="RateLimitPermitsTests"/>), and a store error; the limit itself, over several store instances, is in the store
/// conformance suite.
/// </summary>
public sealed class RateLimitTests : SchedulerTestBase
{
    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-1, 1000)]
    [InlineData(1, 0)]
    [InlineData(1, -5)]
    public void RateLimit_BadPermitsOrWindow_AreRefusedWithTheirValue(int permits, int windowMs)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(permits, TimeSpan.FromMilliseconds(windowMs)));
        Assert.Contains(permits < 1 ? "at least 1 permit" : "window must be positive", error.Message, StringComparison.Ordinal);
        Assert.Equal(permits < 1 ? "permits" : "window", error.ParamName);
    }

    [Fact]
    public void RateLimit_Valid_KeepsItsValues_AndIsCopiedWithItsFlowOptions()
    {
        var limit = new RateLimit(5, TimeSpan.FromMinutes(1));
        var options = new FlowOptions { RateLimit = limit };
        Assert.Equal(5, options.Clone().RateLimit!.Permits);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Clone().RateLimit!.Window);
        Assert.Empty(options.Validate("f"));
        Assert.Equal("5 per 00:01:00", limit.ToString());
    }

    [Fact]
    public async Task AddFlow_WithARateLimit_OnAStoreThatKeepsNone_IsRefused()
    {
        await using var sqlite = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await using var scheduler = new Scheduler(RateLimitCountingStore.Wrap(sqlite, new ConcurrentBag<string>(), keepsRateLimits: false), new SchedulerOptions(), ownsStore: false);
        var error = Assert.Throws<EnvoyConfigurationException>(() => scheduler.AddFlow("limited", Flow(), new FlowOptions { RateLimit = new RateLimit(1, TimeSpan.FromSeconds(1)) }));
        Assert.Contains("FlowOptions.RateLimit of flow 'limited' needs a store that keeps rate limits", error.Message, StringComparison.Ordinal);
        scheduler.AddFlow("free", Flow()); // without a limit, any store
    }

    [Fact]
    public async Task FlowWithoutRateLimit_NeverAsksTheStore_FlowWithOne_AsksPerBlockOfPermits()
    {
        var calls = new ConcurrentBag<string>();
        await using var sqlite = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await using var scheduler = new Scheduler(RateLimitCountingStore.Wrap(sqlite, calls, keepsRateLimits: true), new SchedulerOptions { PollInterval = TimeSpan.FromMilliseconds(200) }, ownsStore: false);
        scheduler.AddFlow("free", Flow());
        scheduler.AddFlow("limited", Flow(), new FlowOptions { RateLimit = new RateLimit(1_000, TimeSpan.FromMinutes(1)) });
        await scheduler.StartAsync();

        var free = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => scheduler.ScheduleAsync("free", i)));
        foreach (var id in free)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        }

        Assert.Empty(StepCalls(calls)); // the maintenance leader's purge (once a minute, for the whole store) is not a step's cost

        var limited = await scheduler.ScheduleAsync("limited", 1);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(limited, Timeout)).Status);
        Assert.Equal(2, calls.Count(c => c == nameof(IRateLimitStore.TryAcquireRateAsync))); // two steps: a block of 1, then of 2
        Assert.Equal(2, StepCalls(calls).Count());
    }

    private static IEnumerable<string> StepCalls(ConcurrentBag<string> calls) => calls.Where(c => c != nameof(IRateLimitStore.PurgeRateLimitsAsync));

    [Fact]
    public async Task NonBindingRateLimit_1000StepStarts_AtMost20StoreCalls()
    {
        var calls = new ConcurrentBag<string>();
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)); // still: every block stays in its horizon
        await using var sqlite = new SqliteJobStore(new SqliteConfig { Path = DatabasePath, FullSync = false });
        await using var scheduler = new Scheduler(RateLimitCountingStore.Wrap(sqlite, calls, keepsRateLimits: true), new SchedulerOptions { Concurrency = 8 }, time, ownsStore: false);
        scheduler.AddFlow("limited", Chain(10), new FlowOptions { RateLimit = new RateLimit(1_000_000, TimeSpan.FromSeconds(1)) });
        await scheduler.StartAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => scheduler.ScheduleAsync("limited", i)));
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, System.Threading.Timeout.InfiniteTimeSpan).WaitAsync(Timeout, TimeProvider.System)).Status);
        }

        // Blocks of 1, 2, 4 … 256 then 256 each: 11 calls for 1,000 starts (one per step before).
        Assert.InRange(calls.Count(c => c == nameof(IRateLimitStore.TryAcquireRateAsync)), 1, 20);
    }

    [Fact]
    public async Task RateLimitStoreError_GivesTheJobBackForASecond_WithTheReason_ThenItRuns()
    {
        var failing = 1;
        var time = NewClock();
        await using var sqlite = new SqliteJobStore(new SqliteConfig { Path = DatabasePath, FullSync = false });
        var store = RateLimitCountingStore.Wrap(sqlite, [], keepsRateLimits: true, () => Volatile.Read(ref failing) == 1 ? new InvalidOperationException("store down") : null);
        await using var scheduler = new Scheduler(store, new SchedulerOptions { PollInterval = TimeSpan.FromMilliseconds(200) }, time, ownsStore: false);
        scheduler.AddFlow("limited", Flow(), new FlowOptions { RateLimit = new RateLimit(5, TimeSpan.FromMinutes(1)) });
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync("limited", 1);
        Job job = null!;
        await WaitUntilAsync(async () => (job = await scheduler.GetJobAsync(id)).WaitingReason is not null, "the job is given back");
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal("rate limit: 5 per 00:01:00 could not be checked (store down); next try at 2030-01-01T00:00:01.000Z", job.WaitingReason);
        Assert.Equal(time.GetUtcNow().AddSeconds(1), job.RunAt);
        Assert.Equal(0, job.Retries);

        Volatile.Write(ref failing, 0);
        await AdvanceArmedTimersUntilAsync(time, scheduler.WaitForJobAsync(id, System.Threading.Timeout.InfiniteTimeSpan).WaitAsync(Timeout, TimeProvider.System), _ => true);
        Assert.Equal(JobStatus.Done, (await scheduler.GetJobAsync(id)).Status);
    }

    private static StateFlow Chain(int steps) =>
        new(Enumerable.Range(0, steps).Select(i => new State("S" + i) { OnState = ctx => Task.FromResult(ctx.Output(i)), Router = i + 1 < steps ? Router.Next("S" + (i + 1)) : Router.End }).ToList());

    private static StateFlow Flow() =>
        new(
        [
            new State("A") { OnState = ctx => Task.FromResult(ctx.Output(1)), Router = Router.Next("B") },
            new State("B") { OnState = ctx => Task.FromResult(ctx.Output(2)), Router = Router.End },
        ]);
}
