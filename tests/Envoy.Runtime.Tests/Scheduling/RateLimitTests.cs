using System.Collections.Concurrent;
using Envoy.Runtime.Storage;
using Envoy.Storage.Sqlite;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="FlowOptions.RateLimit"/>: its validation, and that only flows with one ask the store (one call per step start);
/// the limit itself, over several store instances, is in the store conformance suite.
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
    public async Task FlowWithoutRateLimit_NeverAsksTheStore_FlowWithOne_AsksOncePerStepStart()
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
        Assert.Equal(2, calls.Count(c => c == nameof(IRateLimitStore.TryAcquireRateAsync))); // two steps, two starts
        Assert.Equal(2, StepCalls(calls).Count());
    }

    private static IEnumerable<string> StepCalls(ConcurrentBag<string> calls) => calls.Where(c => c != nameof(IRateLimitStore.PurgeRateLimitsAsync));

    private static StateFlow Flow() =>
        new(
        [
            new State("A") { OnState = ctx => Task.FromResult(ctx.Output(1)), Router = Router.Next("B") },
            new State("B") { OnState = ctx => Task.FromResult(ctx.Output(2)), Router = Router.End },
        ]);
}
