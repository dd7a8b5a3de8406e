using System.Collections.Concurrent;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>Rate limits (issue 18): the exact sliding window, its serialization over store instances, the shared pause.</summary>
public abstract partial class StoreConformanceTests
{
    private IRateLimitStore Limits => Store.RateLimits ?? throw new InvalidOperationException("The store keeps no rate limits.");

    private static string NewScope(string name) => "test:" + name + ":" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task RateLimit_GrantsPermitsPerWindow_ThenRefusesUntilTheOldestLeaves()
    {
        var scope = NewScope("grants");
        for (var i = 0; i < 3; i++)
        {
            var granted = await Limits.TryAcquireRateAsync(scope, 3, 1_000, 1, T0 + (i * 100));
            Assert.True(granted.Granted);
            Assert.Equal(i, granted.Used);
        }

        var refused = await Limits.TryAcquireRateAsync(scope, 3, 1_000, 1, T0 + 300);
        Assert.False(refused.Granted);
        Assert.Equal(T0 + 1_000, refused.RetryAtMs);
        Assert.Equal(3, refused.Used);

        // Refusals record nothing: at the retry time the first grant has left the window, and only it.
        Assert.False((await Limits.TryAcquireRateAsync(scope, 3, 1_000, 1, T0 + 999)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(scope, 3, 1_000, 1, T0 + 1_000)).Granted);
        var next = await Limits.TryAcquireRateAsync(scope, 3, 1_000, 1, T0 + 1_001);
        Assert.False(next.Granted);
        Assert.Equal(T0 + 1_100, next.RetryAtMs);
    }

    [Fact]
    public async Task RateLimit_AtWindowEdges_NeverGrantsADoubleBurst()
    {
        // A fixed window would grant 2 at 900..950 and 2 more at 1000: a sliding one never holds more than 2 in any 1000 ms.
        var scope = NewScope("edges");
        Assert.True((await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 900)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 950)).Granted);
        var atEdge = await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 1_000);
        Assert.False(atEdge.Granted);
        Assert.Equal(T0 + 1_900, atEdge.RetryAtMs);
        Assert.False((await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 1_899)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 1_900)).Granted);
        var after = await Limits.TryAcquireRateAsync(scope, 2, 1_000, 1, T0 + 1_901);
        Assert.False(after.Granted);
        Assert.Equal(T0 + 1_950, after.RetryAtMs);
    }

    [Fact]
    public async Task RateLimit_WeightedUsage_CountsItsWeight_AndRecordedUsageCountsToo()
    {
        var scope = NewScope("weights");
        Assert.True((await Limits.TryAcquireRateAsync(scope, 10, 60_000, 4, T0)).Granted);
        await Limits.RecordRateUsageAsync(scope, 5, 60_000, T0 + 1_000);
        var refused = await Limits.TryAcquireRateAsync(scope, 10, 60_000, 2, T0 + 2_000);
        Assert.False(refused.Granted);
        Assert.Equal(9, refused.Used);
        Assert.Equal(T0 + 60_000, refused.RetryAtMs); // once the 4 left, 5 + 2 fit
        Assert.True((await Limits.TryAcquireRateAsync(scope, 10, 60_000, 1, T0 + 2_000)).Granted);

        // Recorded usage beyond the permits (a call that used more tokens than the cap) holds the scope until it leaves.
        var over = NewScope("over");
        await Limits.RecordRateUsageAsync(over, 50, 60_000, T0);
        Assert.Equal(T0 + 60_000, (await Limits.TryAcquireRateAsync(over, 10, 60_000, 1, T0 + 1)).RetryAtMs);
    }

    [Fact]
    public async Task RateLimit_BadArguments_AreRefused()
    {
        var scope = NewScope("bad");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Limits.TryAcquireRateAsync(scope, 0, 1_000, 1, T0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Limits.TryAcquireRateAsync(scope, 1, 0, 1, T0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Limits.TryAcquireRateAsync(scope, 2, 1_000, 3, T0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Limits.TryAcquireRateAsync(scope, 2, 1_000, 0, T0));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Limits.TryAcquireRateAsync(string.Empty, 2, 1_000, 1, T0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Limits.RecordRateUsageAsync(scope, 0, 1_000, T0));
    }

    [Fact]
    public async Task RateLimit_Scopes_AreIndependent()
    {
        var a = NewScope("a");
        var b = NewScope("b");
        Assert.True((await Limits.TryAcquireRateAsync(a, 1, 1_000, 1, T0)).Granted);
        Assert.False((await Limits.TryAcquireRateAsync(a, 1, 1_000, 1, T0)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(b, 1, 1_000, 1, T0)).Granted);
    }

    [Fact]
    public async Task RateLimit_ConcurrentAcquirersOnSeveralInstances_NeverExceedThePermits()
    {
        var stores = new List<IRateLimitStore> { Limits };
        for (var i = 0; i < 3; i++)
        {
            stores.Add((await SecondInstanceOrStoreAsync()).RateLimits!);
        }

        var scope = NewScope("race");
        const int Permits = 7;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 48).Select(async i =>
        {
#pragma warning disable VSTHRD003 // The start gate: every acquirer waits for it, then they all race.
            await start.Task;
#pragma warning restore VSTHRD003
            // Three rounds of 16: all at the same instant, then inside the window, then half a window later.
            var now = T0 + ((i / 16) * 400);
            return (Now: now, Result: await stores[i % stores.Count].TryAcquireRateAsync(scope, Permits, 1_000, 1, now));
        }).ToList();
        start.SetResult();
        var results = await Task.WhenAll(attempts);

        // At T0 and T0+400 (one window) only 7 are granted in all; at T0+800 still none, the window (T0-200, T0+800] is full.
        Assert.Equal(Permits, results.Count(r => r.Result.Granted));
        Assert.All(results.Where(r => !r.Result.Granted), r => Assert.True(r.Result.RetryAtMs > r.Now));
        Assert.False((await Limits.TryAcquireRateAsync(scope, Permits, 1_000, 1, T0 + 999)).Granted);
    }

    [Fact]
    public async Task RateLimit_FutureDatedUsage_CountsForEarlierCallers_AndStaysUntilItsWindowEnds()
    {
        // The runtime records a block of permits at the end of its horizon (a time ahead of the caller's clock), and callers
        // of other processes may ask with an earlier time: a record counts for every time before it leaves its window.
        var scope = NewScope("future");
        Assert.True((await Limits.TryAcquireRateAsync(scope, 3, 1_100, 3, T0 + 100)).Granted);
        var refused = await Limits.TryAcquireRateAsync(scope, 3, 1_100, 1, T0 + 50);
        Assert.False(refused.Granted);
        Assert.Equal(3, refused.Used);
        Assert.Equal(T0 + 1_200, refused.RetryAtMs);

        await Limits.PurgeRateLimitsAsync(T0 + 1_199);
        Assert.False((await Limits.TryAcquireRateAsync(scope, 3, 1_100, 1, T0 + 1_199)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(scope, 3, 1_100, 3, T0 + 1_200)).Granted);
    }

    [Fact]
    public async Task RateLimit_Pause_KeepsTheLaterTime_SeenByEveryInstance()
    {
        var scope = NewScope("pause");
        var other = (await SecondInstanceOrStoreAsync()).RateLimits!;
        Assert.Null(await Limits.RateScopePausedUntilAsync(scope));
        Assert.Equal(T0 + 500, await Limits.PauseRateScopeAsync(scope, T0 + 500));
        Assert.Equal(T0 + 500, await other.PauseRateScopeAsync(scope, T0 + 300));
        Assert.Equal(T0 + 500, await other.RateScopePausedUntilAsync(scope));
        Assert.Equal(T0 + 900, await other.PauseRateScopeAsync(scope, T0 + 900));
        Assert.Equal(T0 + 900, await Limits.RateScopePausedUntilAsync(scope));

        // A pause on a scope that already has usage (its row created by an acquisition) works the same.
        var used = NewScope("pause-used");
        Assert.True((await Limits.TryAcquireRateAsync(used, 1, 1_000, 1, T0)).Granted);
        Assert.Equal(T0 + 200, await other.PauseRateScopeAsync(used, T0 + 200));
        Assert.Equal(T0 + 200, await Limits.RateScopePausedUntilAsync(used));
    }

    [Fact]
    public async Task RateLimit_Purge_DeletesExpiredUsageAndIdleScopes_KeepsLiveOnes()
    {
        var old = NewScope("old");
        var live = NewScope("live");
        var paused = NewScope("paused");
        Assert.True((await Limits.TryAcquireRateAsync(old, 1, 1_000, 1, T0)).Granted);
        Assert.True((await Limits.TryAcquireRateAsync(live, 1, 10_000, 1, T0)).Granted);
        await Limits.PauseRateScopeAsync(paused, T0 + 60_000);
        var pauseOver = NewScope("pause-over");
        await Limits.PauseRateScopeAsync(pauseOver, T0 + 1_000);

        var purged = await Limits.PurgeRateLimitsAsync(T0 + 5_000);
        Assert.True(purged >= 2, $"purged {purged}"); // the old usage and the scope whose pause ended (other tests' rows may go too)
        Assert.Null(await Limits.RateScopePausedUntilAsync(pauseOver));
        Assert.False((await Limits.TryAcquireRateAsync(live, 1, 10_000, 1, T0 + 5_000)).Granted);
        Assert.Equal(T0 + 60_000, await Limits.RateScopePausedUntilAsync(paused));
        Assert.Null(await Limits.RateScopePausedUntilAsync(old));
        Assert.True((await Limits.TryAcquireRateAsync(old, 1, 1_000, 1, T0 + 5_000)).Granted);
    }
}

/// <summary>FlowOptions.RateLimit through real schedulers on several store instances (as several processes).</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Scheduler_RateLimit_OverSeveralInstances_StartsOnlyThePermits_OthersWaitPendingWithTheReason()
    {
        var flow = NewFlow("limited");
        var runs = new ConcurrentDictionary<string, int>();
        var options = new FlowOptions { RateLimit = new RateLimit(2, TimeSpan.FromHours(1)) };
        var schedulers = new List<Scheduler> { NewScheduler() };
        for (var i = 0; i < 2; i++)
        {
            schedulers.Add(NewScheduler(await SecondInstanceOrStoreAsync()));
        }

        foreach (var scheduler in schedulers)
        {
            scheduler.AddFlow(flow, OneStep(runs), options);
            await scheduler.StartAsync();
        }

        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => schedulers[i % 3].ScheduleAsync(flow, i)));

        // Two start (one window of an hour holds two starts, whichever process runs them); the other four are given back.
        IReadOnlyList<Job> jobs = [];
        await EventuallyAsync(
            async () =>
            {
                jobs = await Task.WhenAll(ids.Select(id => schedulers[0].GetJobAsync(id)));
                return jobs.Count(j => j.Status == JobStatus.Done) == 2 && jobs.Count(j => j is { Status: JobStatus.Pending, WaitingReason: not null }) == 4;
            },
            "two jobs done and four pending for the rate limit");
        Assert.Equal(2, runs.Count);
        foreach (var waiting in jobs.Where(j => j.Status == JobStatus.Pending))
        {
            Assert.StartsWith("rate limit: 2 per 01:00:00; next start at ", waiting.WaitingReason, StringComparison.Ordinal);
            Assert.Equal(0, waiting.Retries);
            Assert.Null(waiting.Error);
            Assert.True(waiting.RunAt > DateTimeOffset.UtcNow.AddMinutes(50), $"run at {waiting.RunAt}");
            var released = (await schedulers[0].GetJobHistoryAsync(waiting.Id))[^1];
            Assert.Equal(JobEventKind.Released, released.Kind);
            Assert.Equal(waiting.WaitingReason, released.Error);
        }

        Assert.All(jobs.Where(j => j.Status == JobStatus.Done), j => Assert.Null(j.WaitingReason));
    }

    [Fact]
    public async Task Scheduler_RateLimit_ShortWindow_EveryJobEndsDone_NoFasterThanThePermits()
    {
        var flow = NewFlow("limited-short");
        var runs = new ConcurrentDictionary<string, int>();
        var options = new FlowOptions { RateLimit = new RateLimit(2, TimeSpan.FromMilliseconds(300)) };
        var first = NewScheduler();
        var second = NewScheduler(await SecondInstanceOrStoreAsync());
        first.AddFlow(flow, Chain(runs), options);
        second.AddFlow(flow, Chain(runs), options);
        var started = TimeProvider.System.GetTimestamp();
        await first.StartAsync();
        await second.StartAsync();

        // 3 jobs of 3 steps: 9 step starts at 2 per 300 ms take at least 4 full windows after the first start.
        var ids = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => (i % 2 == 0 ? first : second).ScheduleAsync(flow, i)));
        var jobs = await Task.WhenAll(ids.Select(id => first.WaitForJobAsync(id, JobTimeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.All(jobs, j => Assert.Equal(0, j.Retries));
        Assert.All(jobs, j => Assert.Null(j.WaitingReason));
        Assert.Equal(9, runs.Count);
        Assert.All(runs, r => Assert.Equal(1, r.Value));
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(1_200), $"took {TimeProvider.System.GetElapsedTime(started)}");
    }

    [Fact]
    public async Task Scheduler_RateLimit_ManySchedulers_PermitsInBlocks_NoWindowHoldsMoreThanThePermits_EveryJobEndsDone()
    {
        var flow = NewFlow("limited-many");
        var starts = new ConcurrentQueue<long>();
        var limit = new RateLimit(40, TimeSpan.FromSeconds(1)); // blocks of up to 5 permits, horizon 100 ms
        var schedulers = new List<Scheduler> { NewScheduler() };
        for (var i = 0; i < 3; i++)
        {
            schedulers.Add(NewScheduler(await SecondInstanceOrStoreAsync()));
        }

        foreach (var scheduler in schedulers)
        {
            scheduler.AddFlow(flow, RecordedChain(starts, 3), new FlowOptions { RateLimit = limit });
            await scheduler.StartAsync();
        }

        // 120 step starts at 40 per second: the limit binds for a few windows, on four schedulers (as four processes).
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => schedulers[i % schedulers.Count].ScheduleAsync(flow, i)));
        var jobs = await Task.WhenAll(ids.Select(id => schedulers[0].WaitForJobAsync(id, JobTimeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.Equal(120, starts.Count);
        var sorted = starts.Order().ToList();
        var first = 0;
        for (var last = 0; last < sorted.Count; last++)
        {
            while (sorted[first] <= sorted[last] - 1_000)
            {
                first++;
            }

            Assert.True(last - first + 1 <= limit.Permits, $"{last - first + 1} step starts in ({sorted[last] - 1_000}, {sorted[last]}]");
        }
    }

    /// <summary>A chain of <paramref name="steps"/> steps, each recording when it started (the real clock, Unix ms).</summary>
    private static StateFlow RecordedChain(ConcurrentQueue<long> starts, int steps) =>
        new(Enumerable.Range(0, steps).Select(i => new State("S" + i)
        {
            OnState = ctx =>
            {
                starts.Enqueue(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
                return Task.FromResult(ctx.Output(i));
            },
            Router = i + 1 < steps ? Router.Next("S" + (i + 1)) : Router.End,
        }).ToList());

    private static StateFlow OneStep(ConcurrentDictionary<string, int> runs) =>
        new([new State("A") { OnState = ctx => { runs.AddOrUpdate(ctx.JobId!, 1, (_, n) => n + 1); return Task.FromResult(ctx.Output(1)); }, Router = Router.End }]);
}
