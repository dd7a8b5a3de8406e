using System.Collections.Concurrent;
using Envoy.Storage.Sqlite;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// Claiming ahead (<see cref="SchedulerOptions.ClaimAhead"/>): with a backlog of quick jobs a worker claims up to a pool's worth
/// of jobs beyond its free slots, each starting as a slot frees; never more handlers than slots run at once, every job runs
/// once, a job claimed ahead can be cancelled before it starts, and on stop it goes back to the queue unstarted. Jobs that hold
/// their slot longer than <see cref="SchedulerOptions.ClaimAheadMaxJobTime"/> are never claimed ahead.
/// </summary>
public sealed class ClaimAheadTests : SchedulerTestBase
{
    private const int Slots = 2;
    private const int Gated = 6;

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _entered = new(StringComparer.Ordinal);

    [Fact]
    public async Task WithABacklogOfQuickJobs_ClaimsAPoolsWorthAhead_RunsNoMoreHandlersThanSlots_AndEveryJobOnce()
    {
        var (scheduler, gated) = await StartWithJobsClaimedAheadAsync();

        _gate.SetResult();
        foreach (var id in gated)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        }

        Assert.Equal(Gated, _entered.Count);
        Assert.All(_entered.Values, runs => Assert.Equal(1, runs));
    }

    [Fact]
    public async Task Stop_GivesJobsClaimedAheadBackUnstarted()
    {
        var (scheduler, gated) = await StartWithJobsClaimedAheadAsync();
        var ahead = await ClaimedAheadAsync(scheduler, gated);

        // The two running steps are signalled when the deadline passes; the jobs claimed ahead go back at once.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await scheduler.StopAsync(deadline.Token);
        }

        foreach (var id in gated)
        {
            Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
        }

        Assert.Equal(Slots, _entered.Count);
        foreach (var id in ahead)
        {
            Assert.DoesNotContain(id, _entered.Keys);
            var history = await scheduler.GetJobHistoryAsync(id);
            Assert.Equal([JobEventKind.Scheduled, JobEventKind.Claimed, JobEventKind.Released], history.Select(e => e.Kind));
        }
    }

    [Fact]
    public async Task AJobClaimedAhead_CancelledBeforeItStarts_NeverRuns()
    {
        var (scheduler, gated) = await StartWithJobsClaimedAheadAsync();
        var cancelled = (await ClaimedAheadAsync(scheduler, gated))[0];

        await scheduler.CancelJobAsync(cancelled);
        _gate.SetResult();
        foreach (var id in gated)
        {
            var job = await scheduler.WaitForJobAsync(id, Timeout);
            Assert.Equal(id == cancelled ? JobStatus.Cancelled : JobStatus.Done, job.Status);
        }

        Assert.DoesNotContain(cancelled, _entered.Keys);
        Assert.Equal(Gated - 1, _entered.Count);
    }

    [Fact]
    public async Task JobsSlowerThanClaimAheadMaxJobTime_AreNeverClaimedAhead()
    {
        var asked = new ConcurrentQueue<int>();
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await store.InitializeAsync();
        var config = new SchedulerConfig
        {
            Concurrency = Slots,
            ClaimAhead = Slots,
            ClaimAheadMaxJobTime = TimeSpan.FromMilliseconds(50),
            EagerStart = false,
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        await using var scheduler = new Scheduler(StoreProxy.Wrap(store, onClaim: request => asked.Enqueue(request.Max)), config);
        scheduler.AddFlow("slow", OneState(async ctx =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(120), ctx.CancellationToken);
            return ctx.Output(1);
        }));
        var ids = new List<string>();
        for (var i = 0; i < Gated; i++)
        {
            ids.Add(await scheduler.ScheduleAsync("slow"));
        }

        await scheduler.StartAsync();
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        }

        // Each claim asked for the free slots only (with a backlog throughout: every claim but the last few found jobs).
        Assert.NotEmpty(asked);
        Assert.All(asked, max => Assert.InRange(max, 1, Slots));
    }

    [Fact]
    public void Config_RefusesANegativeClaimAheadOrMaxJobTime()
    {
        var errors = new SchedulerConfig { ClaimAhead = -1, ClaimAheadMaxJobTime = TimeSpan.FromMilliseconds(-1) }.Validate();

        Assert.Contains(errors, e => e.Contains("ClaimAhead must not be negative", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ClaimAheadMaxJobTime must not be negative", StringComparison.Ordinal));
        Assert.Empty(new SchedulerConfig { ClaimAhead = 0, ClaimAheadMaxJobTime = TimeSpan.Zero }.Validate());
    }

    private static async Task<long> RunningAsync(Scheduler scheduler) =>
        (await scheduler.GetJobCountsAsync()).TryGetValue(JobStatus.Running, out var running) ? running : 0;

    /// <summary>
    /// Two slots, and a backlog: one quick job of high priority, then <see cref="Gated"/> jobs that wait for the gate. The first
    /// claim takes the quick job and a gated one; once the quick job ended (its time known, short), the next claim takes one
    /// job for the freed slot and two ahead. Returns when two gated handlers run and four gated jobs are claimed.
    /// </summary>
    private async Task<(Scheduler Scheduler, IReadOnlyList<string> Gated)> StartWithJobsClaimedAheadAsync()
    {
        var scheduler = await NewSchedulerAsync(c =>
        {
            c.Concurrency = Slots;
            c.ClaimAhead = Slots;
            c.ClaimAheadMaxJobTime = TimeSpan.FromHours(1);
            c.EagerStart = false;
        });
        scheduler.AddFlow("quick", OneState(async ctx => ctx.Output(0)));
        scheduler.AddFlow("gated", OneState(async ctx =>
        {
            _entered.AddOrUpdate(ctx.JobId!, 1, (_, runs) => runs + 1);
            await _gate.Task.WaitAsync(ctx.CancellationToken);
            return ctx.Output(1);
        }));
        await scheduler.ScheduleAsync("quick", null, new ScheduleOptions { Priority = 10 });
        var gated = new List<string>();
        for (var i = 0; i < Gated; i++)
        {
            gated.Add(await scheduler.ScheduleAsync("gated"));
        }

        await scheduler.StartAsync();
        await WaitUntilAsync(
            async () => _entered.Count == Slots && await RunningAsync(scheduler) == Slots * 2,
            "two gated jobs run and two more are claimed ahead");
        Assert.Equal(Slots, _entered.Count);
        return (scheduler, gated);
    }

    /// <summary>The gated jobs claimed (running in the store) whose handler has not started.</summary>
    private async Task<IReadOnlyList<string>> ClaimedAheadAsync(Scheduler scheduler, IReadOnlyList<string> gated)
    {
        var ahead = new List<string>();
        foreach (var id in gated)
        {
            if (!_entered.ContainsKey(id) && await scheduler.GetJobStatusAsync(id) == JobStatus.Running)
            {
                ahead.Add(id);
            }
        }

        Assert.Equal(Slots, ahead.Count);
        return ahead;
    }
}
