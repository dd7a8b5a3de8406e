namespace Envoy.Storage.Conformance;

/// <summary>The dashboard's overview: counts served stale while they refresh, and the oldest due pending job.</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task OldestDueAt_IsTheEarliestRunAtOfADuePendingJob()
    {
        var flow = NewFlow();
        var oldest = await CreateAsync(flow, runAt: 1_000, createdAt: T0);
        await CreateAsync(flow, runAt: 2_000, createdAt: T0);
        await CreateAsync(flow, runAt: 500, createdAt: T0);
        var now = 1_500L;

        // Run-at 500 is due; 1,000 too; 2,000 is not yet (a delayed job is not behind).
        Assert.Equal(500, await Store.OldestDueAtAsync(now));
        Assert.Null(await Store.OldestDueAtAsync(400));
        var claimed = await ClaimAsync(flow, now: now, max: 1);
        Assert.NotEqual(oldest, Assert.Single(claimed).Id);
        Assert.Equal(1_000, await Store.OldestDueAtAsync(now));
        await ClaimOneAsync(flow, oldest, now: now);
        Assert.Null(await Store.OldestDueAtAsync(now));
    }

    [Fact]
    public async Task Scheduler_JobStats_CountEveryStatus_AndTheOldestDueJob()
    {
        var scheduler = NewScheduler();
        var before = await scheduler.GetJobStatsAsync();
        Assert.Equal(Enum.GetValues<JobStatus>().Order(), before.Counts.Keys.Order());

        var flow = NewFlow();
        var failedFlow = NewFlow("failed");
        var doneFlow = NewFlow("done");
        await CreateAsync(flow, runAt: 1_000, createdAt: T0);
        await FinishByCommitAsync(failedFlow, await CreateAsync(failedFlow, runAt: 500, createdAt: T0 + 1), JobStatus.Failed, now: T0 + 10);
        await FinishByCommitAsync(doneFlow, await CreateAsync(doneFlow, runAt: 500, createdAt: T0 + 2), JobStatus.Done, now: T0 + 20);
        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        await CreateAsync(flow, runAt: later, createdAt: T0 + 3);

        // Counts are served stale while one refresh runs: ask until the refreshed ones show the new jobs.
        JobStats stats = before;
        await EventuallyAsync(
            async () =>
            {
                stats = await scheduler.GetJobStatsAsync();
                return stats.Counts.Values.Sum() == before.Counts.Values.Sum() + 4;
            },
            "the stats count the four new jobs");

        Assert.Equal(before.Counts[JobStatus.Pending] + 2, stats.Counts[JobStatus.Pending]);
        Assert.Equal(before.Counts[JobStatus.Done] + 1, stats.Counts[JobStatus.Done]);
        Assert.Equal(before.Counts[JobStatus.Failed] + 1, stats.Counts[JobStatus.Failed]);
        Assert.True(stats.CountedAt > before.CountedAt);
        Assert.NotNull(stats.OldestPendingAt);
        Assert.True(stats.OldestPendingAt <= At(1_000), $"The oldest due job is due at {At(1_000)} at the latest, not {stats.OldestPendingAt}.");
    }
}
