using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>The maintenance leader, through real schedulers: one leads at a time, another takes over, and a dead worker's job is swept.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Scheduler_OneMaintenanceLeaderAtATime_AndAnotherTakesOverWhenItStops()
    {
        // A 200 ms interval (600 ms lock time-to-live): a leader stalled longer than that by a loaded machine may lose the lock
        // to another, which the checks below would take for two leaders or a change of leader. A stopped leader releases the
        // lock, so the takeover below takes one interval, not a time-to-live.
        static void Fast(SchedulerOptions config) => config.MaintenanceInterval = TimeSpan.FromMilliseconds(200);
        var schedulers = new[] { NewScheduler(configure: Fast), NewScheduler(await SecondInstanceOrStoreAsync(), Fast), NewScheduler(configure: Fast) };
        foreach (var scheduler in schedulers)
        {
            await scheduler.StartAsync();
        }

        var leader = await OnlyLeaderAsync(schedulers);
        await AssertLeadsThroughoutAsync(schedulers, leader, TimeSpan.FromMilliseconds(200) * 3);

        await leader.StopAsync();
        Assert.False(leader.IsMaintenanceLeader);
        var next = await OnlyLeaderAsync(schedulers);
        Assert.NotSame(leader, next);
    }

    [Fact]
    public async Task Scheduler_JobOfAWorkerThatStoppedRenewing_IsPutBackByTheLeader_AndRunsAgain()
    {
        var flow = NewFlow("swept");
        var id = await Store.CreateJobAsync(JobOf(flow, runAt: 0, createdAt: 0));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var dead = Assert.Single(await Store.ClaimAsync(new ClaimRequest("dead-worker", 1, now, now + 300, [flow])));
        Assert.Equal(id, dead.Id);

        // The leader does not run this flow: only its sweep can make the job pending again.
        var leader = NewScheduler(configure: c => c.MaintenanceInterval = TimeSpan.FromMilliseconds(50));
        await leader.StartAsync();
        await WaitUntilAsync(async () => await Store.GetJobStatusAsync(id) == JobStatus.Pending, "the sweep put the job back to pending");
        var history = await HistoryAsync(id);
        Assert.Contains(history, e => e.Kind == JobEventKind.LeaseExpired && e.From == JobStatus.Running && e.To == JobStatus.Pending);

        var worker = NewScheduler(await SecondInstanceOrStoreAsync());
        worker.AddFlow(flow, Chain(runs: null));
        await worker.StartAsync();
        var job = await worker.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.False(await CommitOneAsync(StepOf(dead, JobStatus.Done, owner: "dead-worker", now: now + 1)), "The dead worker's late commit must be refused.");
        Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
    }

    private static async Task<Scheduler> OnlyLeaderAsync(IReadOnlyList<Scheduler> schedulers)
    {
        var deadline = DateTime.UtcNow + LeaderTimeout;
        while (true)
        {
            var leaders = schedulers.Where(s => s.IsMaintenanceLeader).ToList();
            if (leaders.Count == 1)
            {
                return leaders[0];
            }

            Assert.True(leaders.Count == 0, $"{leaders.Count} schedulers lead maintenance at once.");
            Assert.True(DateTime.UtcNow < deadline, "No scheduler took the maintenance lead.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Samples the schedulers continuously for <paramref name="window"/> (real time, several renewals of the lock): at no sample
    /// do two lead, nor does any but <paramref name="leader"/>; then <paramref name="leader"/> still leads alone. A sample where
    /// none leads is allowed, as in <see cref="OnlyLeaderAsync"/>: a leader whose renewal a loaded machine delays past the
    /// time-to-live stops saying it leads until the renewal lands. The short pause between samples only spaces them (a busy loop
    /// would take a core from the schedulers); it waits for nothing.
    /// </summary>
    private static async Task AssertLeadsThroughoutAsync(IReadOnlyList<Scheduler> schedulers, Scheduler leader, TimeSpan window)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var samples = 0;
        while (watch.Elapsed < window || samples < 10)
        {
            var leaders = schedulers.Where(s => s.IsMaintenanceLeader).ToList();
            Assert.True(leaders.Count <= 1, $"After {watch.Elapsed}: {leaders.Count} schedulers lead maintenance at once.");
            Assert.True(leaders.Count == 0 || ReferenceEquals(leaders[0], leader), $"After {watch.Elapsed}: the lead moved to another scheduler.");
            samples++;
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }

        Assert.Same(leader, await OnlyLeaderAsync(schedulers));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + LeaderTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(25);
        }
    }
}
