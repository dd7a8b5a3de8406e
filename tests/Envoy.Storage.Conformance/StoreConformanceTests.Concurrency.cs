using System.Collections.Concurrent;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Concurrency limits (issue 18, <see cref="FlowOptions.ConcurrencyLimit"/> with <see cref="ScheduleOptions.ConcurrencyKey"/>):
/// at most N running jobs per (flow, key), admitted by claims over every claimer, in order, blocked jobs holding no slot, a
/// dead worker's job keeping its slot until it is taken over.
/// </summary>
public abstract partial class StoreConformanceTests
{
    /// <summary>What the store's server is doing (its sessions), for a failure message; empty when the store cannot say.</summary>
    protected virtual Task<string> DescribeActivityAsync() => Task.FromResult(string.Empty);

    /// <summary>A limited job to insert (key empty: none).</summary>
    protected static NewJob LimitedJobOf(string flow, string key, int limit, int priority = 0, long runAt = T0, long createdAt = T0) =>
        JobOf(flow, priority: priority, runAt: runAt, createdAt: createdAt) with { ConcurrencyKey = key, ConcurrencyLimit = limit };

    private async Task<List<string>> CreateLimitedAsync(string flow, string key, int limit, int count, long createdAt = T0)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await Store.CreateJobAsync(LimitedJobOf(flow, key, limit, createdAt: createdAt + i)));
        }

        return ids;
    }

    [Fact]
    public async Task Concurrency_Claim_AdmitsAtMostTheLimitPerKey_AndKeylessJobsShareOneSlotSet()
    {
        var flow = NewFlow("limited");
        var a = await CreateLimitedAsync(flow, "tenant-a", 2, 4);
        var b = await CreateLimitedAsync(flow, "tenant-b", 2, 3, createdAt: T0 + 100);
        var none = await CreateLimitedAsync(flow, string.Empty, 2, 3, createdAt: T0 + 200);

        var claimed = await ClaimAsync(flow, max: 20);

        Assert.Equal(6, claimed.Count);
        Assert.Equal(new[] { a[0], a[1] }.Order(), claimed.Where(j => j.ConcurrencyKey == "tenant-a").Select(j => j.Id).Order());
        Assert.Equal(2, claimed.Count(j => j.ConcurrencyKey == "tenant-b"));
        Assert.Equal(2, claimed.Count(j => j.ConcurrencyKey.Length == 0));
        Assert.All(claimed, j => Assert.Equal(2, j.ConcurrencyLimit));
        Assert.Empty(await ClaimAsync(flow, "worker-2", now: T0 + 1, max: 20));
        Assert.Equal(JobStatus.Pending, (await GetAsync(a[2])).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(b[2])).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(none[2])).Status);
        Assert.Equal(2, await Store.CountRunningLimitedAsync(flow, "tenant-a"));
        Assert.Equal(2, await Store.CountRunningLimitedAsync(flow, string.Empty));
        Assert.Equal(0, await Store.CountRunningLimitedAsync(flow, "tenant-c"));
    }

    [Fact]
    public async Task Concurrency_KeyAndLimit_AreStoredWithTheJob()
    {
        var flow = NewFlow("limited");
        var id = await Store.CreateJobAsync(LimitedJobOf(flow, "doc-7", 3));
        var plain = await CreateAsync(flow);

        var job = await GetAsync(id);
        Assert.Equal("doc-7", job.ConcurrencyKey);
        Assert.Equal(3, job.ConcurrencyLimit);
        var unlimited = await GetAsync(plain);
        Assert.Equal(string.Empty, unlimited.ConcurrencyKey);
        Assert.Null(unlimited.ConcurrencyLimit);
        Assert.Contains(await Store.ListJobsAsync(new JobQuery { Flow = flow }), j => j.Id == id && j.ConcurrencyKey == "doc-7" && j.ConcurrencyLimit == 3);
    }

    [Fact]
    public async Task Concurrency_Claim_TakesAKeysJobsInOrder_PriorityThenRunAtThenAge()
    {
        var flow = NewFlow("limited");
        var late = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, runAt: T0 + 50, createdAt: T0));
        var old = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, runAt: T0, createdAt: T0 + 1));
        var young = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, runAt: T0, createdAt: T0 + 2));
        var urgent = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, priority: 5, runAt: T0 + 10, createdAt: T0 + 3));

        var order = new List<string>();
        var now = T0 + 100;
        for (var i = 0; i < 4; i++)
        {
            var claimed = Assert.Single(await ClaimAsync(flow, now: now, max: 10));
            order.Add(claimed.Id);
            Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: now + 1)));
            now += 10;
        }

        Assert.Equal([urgent, old, young, late], order);
    }

    [Fact]
    public async Task Concurrency_Claim_LeavesAJobNotYetDueAndTakesTheNextDue()
    {
        var flow = NewFlow("limited");
        var later = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, priority: 9, runAt: T0 + 10_000));
        var due = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, runAt: T0, createdAt: T0 + 1));

        var claimed = Assert.Single(await ClaimAsync(flow, max: 10));

        Assert.Equal(due, claimed.Id);
        Assert.Equal(JobStatus.Pending, (await GetAsync(later)).Status);
    }

    [Theory]
    [InlineData(JobStatus.Blocking)]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Pending)]
    public async Task Concurrency_AJobThatStopsRunning_FreesItsSlot(JobStatus next)
    {
        var flow = NewFlow("limited");
        var ids = await CreateLimitedAsync(flow, "k", 1, 2);
        var first = Assert.Single(await ClaimAsync(flow, max: 10));
        Assert.Equal(ids[0], first.Id);
        Assert.Empty(await ClaimAsync(flow, "worker-2", now: T0 + 1, max: 10));

        var step = StepOf(first, next, now: T0 + 5);
        step = next switch
        {
            JobStatus.Blocking => step with { Waits = [new NewWait("w1", "external")] },
            JobStatus.Pending => step with { RunAtMs = T0 + 60_000 }, // a retry with backoff: pending, not due yet
            _ => step,
        };
        Assert.True(await CommitOneAsync(step));

        var second = Assert.Single(await ClaimAsync(flow, "worker-2", now: T0 + 10, max: 10));
        Assert.Equal(ids[1], second.Id);
    }

    [Fact]
    public async Task Concurrency_AJobThatKeepsRunning_KeepsItsSlot()
    {
        var flow = NewFlow("limited");
        await CreateLimitedAsync(flow, "k", 1, 2);
        var first = Assert.Single(await ClaimAsync(flow, max: 10));

        Assert.True(await CommitOneAsync(StepOf(first, JobStatus.Running, now: T0 + 5)));

        Assert.Empty(await ClaimAsync(flow, "worker-2", now: T0 + 10, max: 10));
    }

    [Fact]
    public async Task Concurrency_ExpiredLease_IsTakenOverWithoutRefusal_AndTheSlotStaysTaken()
    {
        var flow = NewFlow("limited");
        var ids = await CreateLimitedAsync(flow, "k", 1, 2);
        var first = Assert.Single(await ClaimAsync(flow, max: 10));
        Assert.Equal(ids[0], first.Id);

        // The worker died: its lease ran out. The job is taken over at once, the limit neither refusing nor exceeding it.
        var after = T0 + Lease + 1;
        var takeover = await ClaimAsync(flow, "worker-2", now: after, max: 10);

        var taken = Assert.Single(takeover);
        Assert.Equal(ids[0], taken.Id);
        Assert.Equal(1, await Store.CountRunningLimitedAsync(flow, "k"));
        Assert.Equal(JobStatus.Pending, (await GetAsync(ids[1])).Status);
        Assert.True(await CommitOneAsync(StepOf(taken, JobStatus.Done, "worker-2", now: after + 5)));
        Assert.Equal(ids[1], Assert.Single(await ClaimAsync(flow, "worker-3", now: after + 10, max: 10)).Id);
    }

    [Fact]
    public async Task Concurrency_LeaseSweptBackToPending_FreesTheSlotForTheKeysNextJobInOrder()
    {
        var flow = NewFlow("limited");
        var ids = await CreateLimitedAsync(flow, "k", 1, 2);
        Assert.Equal(ids[0], Assert.Single(await ClaimAsync(flow, max: 10)).Id);

        var after = T0 + Lease + 1;
        await Store.RunMaintenanceAsync(T0, after, 100);

        // Back to pending, the swept job is the key's first in order again.
        Assert.Equal(ids[0], Assert.Single(await ClaimAsync(flow, "worker-2", now: after + 1, max: 10)).Id);
        Assert.Empty(await ClaimAsync(flow, "worker-3", now: after + 2, max: 10));
    }

    [Fact]
    public async Task Concurrency_ConcurrentClaimers_OnSeveralInstances_NeverExceedTheLimit()
    {
        var flow = NewFlow("limited");
        await CreateLimitedAsync(flow, "k", 3, 30);
        await CreateLimitedAsync(flow, "other", 2, 10, createdAt: T0 + 100);
        var second = await SecondInstanceOrStoreAsync();
        var third = await SecondInstanceOrStoreAsync();
        IJobStore[] stores = [Store, second, third];

        for (var round = 0; round < 3; round++)
        {
            var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
                stores[i % 3].ClaimAsync(new ClaimRequest($"worker-{round}-{i}", 5, T0 + round, T0 + Lease, [flow]))));
            var all = claims.SelectMany(c => c).ToList();
            Assert.Equal(all.Count, all.Select(j => j.Id).Distinct().Count());
            Assert.Equal(3, await Store.CountRunningLimitedAsync(flow, "k"));
            Assert.Equal(2, await Store.CountRunningLimitedAsync(flow, "other"));
            Assert.Equal(round == 0 ? 5 : 0, all.Count);
        }
    }

    [Fact]
    public async Task Concurrency_AFloodedKeyAtItsLimit_DoesNotHideOtherKeysOrUnlimitedJobs()
    {
        var flow = NewFlow("limited");
        var plainFlow = NewFlow("plain");
        await CreateLimitedAsync(flow, "flood", 2, 1_000);
        Assert.Equal(2, (await Store.ClaimAsync(new ClaimRequest(Owner, 10, T0 + 1, T0 + Lease, [flow]))).Count);

        var other = await Store.CreateJobAsync(LimitedJobOf(flow, "quiet", 2, createdAt: T0 + 5_000));
        var plain = await Store.CreateJobAsync(JobOf(plainFlow, createdAt: T0 + 5_001));

        var claimed = await Store.ClaimAsync(new ClaimRequest("worker-2", 10, T0 + 2, T0 + Lease, [flow, plainFlow]));

        Assert.Equal(new[] { other, plain }.Order(), claimed.Select(j => j.Id).Order());
        Assert.Equal(2, await Store.CountRunningLimitedAsync(flow, "flood"));
    }

    [Fact]
    public async Task Concurrency_Claim_CountsLimitedJobsAgainstItsMax()
    {
        var flow = NewFlow("limited");
        await CreateLimitedAsync(flow, "k", 5, 5);
        for (var i = 0; i < 5; i++)
        {
            await CreateAsync(flow, createdAt: T0 + 10 + i);
        }

        var claimed = await ClaimAsync(flow, max: 4);

        Assert.Equal(4, claimed.Count);
        Assert.Equal(4, claimed.Count(j => j.ConcurrencyLimit == 5)); // limited jobs first: bounded by their slots
        Assert.Equal(6, (await ClaimAsync(flow, "worker-2", now: T0 + 1, max: 10)).Count);
    }

    [Fact]
    public async Task Concurrency_Scheduler_SeveralSchedulers_RunAtMostTheLimitPerKey_AndEveryJobEndsDone()
    {
        var flow = NewFlow("limited");
        var running = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var peak = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var step = new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    var key = ctx.Input<string>()!;
                    var now = running.AddOrUpdate(key, 1, (_, n) => n + 1);
                    peak.AddOrUpdate(key, now, (_, p) => Math.Max(p, now));
                    await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
                    running.AddOrUpdate(key, 0, (_, n) => n - 1);
                    return ctx;
                },
                Router = Router.End,
            },
        ]);
        var schedulers = new List<Scheduler>
        {
            NewScheduler(),
            NewScheduler(await SecondInstanceOrStoreAsync()),
            NewScheduler(await SecondInstanceOrStoreAsync()),
        };
        foreach (var scheduler in schedulers)
        {
            scheduler.AddFlow(flow, step, new FlowOptions { ConcurrencyLimit = 2 });
            await scheduler.StartAsync();
        }

        var ids = await Task.WhenAll(Enumerable.Range(0, 45).Select(i =>
        {
            var key = "tenant-" + (i % 3);
            return schedulers[i % 3].ScheduleAsync(flow, key, new ScheduleOptions { ConcurrencyKey = key });
        }));
        Job[] jobs;
        try
        {
            jobs = await Task.WhenAll(ids.Select(id => schedulers[0].WaitForJobAsync(id, JobTimeout)));
        }
        catch (TimeoutException ex)
        {
            var all = await Store.ListJobsAsync(new JobQuery { Flow = flow, Limit = 100 });
            var fresh = await OpenSecondInstanceAsync();
            var freshCount = fresh is null ? -1 : await fresh.CountRunningLimitedAsync(flow, "tenant-0");
            var activity = await DescribeActivityAsync();
            var slots = string.Join(", ", await Task.WhenAll(Enumerable.Range(0, 3).Select(async k => $"tenant-{k}: {await Store.CountRunningLimitedAsync(flow, "tenant-" + k)}")));
            throw new TimeoutException(
                ex.Message + $" fresh tenant-0 count {freshCount}; activity {activity}; now={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} running {slots}; " +
                string.Join("; ", all.GroupBy(j => (j.Status, j.ConcurrencyKey)).Select(g => $"{g.Key.Status}/{g.Key.ConcurrencyKey}: {g.Count()} (runAt {g.Min(j => j.RunAtMs)}..{g.Max(j => j.RunAtMs)}, attempts {g.Max(j => j.Attempts)})")),
                ex);
        }

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.All(peak, p => Assert.True(p.Value <= 2, $"{p.Value} jobs of key {p.Key} ran at once (limit 2)."));
        Assert.Equal(["tenant-0", "tenant-1", "tenant-2"], jobs.Select(j => j.ConcurrencyKey!).Distinct().Order());
    }

    // Also the compiled form of docs/operations.md's "Concurrency limits" snippet (AddFlow with a limit, ScheduleAsync with a
    // key, Job.WaitingReason).
    [Fact]
    public async Task Concurrency_Scheduler_HeldJob_SaysWhy_AndEagerStartDoesNotBypassTheLimit()
    {
        var flow = NewFlow("limited");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var scheduler = NewScheduler(configure: o => o.EagerStart = true);
        scheduler.AddFlow(
            flow,
            new StateFlow(
            [
                new State("A")
                {
                    OnState = async ctx =>
                    {
                        Interlocked.Increment(ref runs);
                        started.TrySetResult();
#pragma warning disable VSTHRD003 // The test's own gate: the steps go on once the held job was seen pending.
                        await gate.Task;
#pragma warning restore VSTHRD003
                        return ctx;
                    },
                    Router = Router.End,
                },
            ]),
            new FlowOptions { ConcurrencyLimit = 1 });
        await scheduler.StartAsync();

        var first = await scheduler.ScheduleAsync(flow, options: new ScheduleOptions { ConcurrencyKey = "tenant-a" });
        await started.Task.WaitAsync(JobTimeout);
        var second = await scheduler.ScheduleJobAsync(flow, options: new ScheduleOptions { ConcurrencyKey = "tenant-a" });
        var keyless = await scheduler.ScheduleAsync(flow);

        // The scheduler has free slots and eager starts on, yet the second job of the key stays pending, saying why.
        Assert.Equal(JobStatus.Pending, second.Job!.Status);
        var held = await scheduler.GetJobAsync(second.Id);
        Assert.Equal(JobStatus.Pending, held.Status);
        Assert.Equal("tenant-a", held.ConcurrencyKey);
        Assert.Equal("concurrency limit: 1 of 1 running for key 'tenant-a'", held.WaitingReason);
        Assert.Contains(await scheduler.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Pending }), j => j.Id == second.Id && j.WaitingReason == held.WaitingReason);
        Assert.Null((await scheduler.GetJobAsync(first)).WaitingReason);

        gate.SetResult();
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(second.Id, JobTimeout)).Status);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(keyless, JobTimeout)).Status);
        Assert.Null((await scheduler.GetJobAsync(second.Id)).WaitingReason);
        Assert.Null((await scheduler.GetJobAsync(keyless)).ConcurrencyKey);
        Assert.Equal(3, Volatile.Read(ref runs));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task Concurrency_AddFlow_RefusesALimitBelowOne(int limit)
    {
        var scheduler = NewScheduler();

        var error = Assert.Throws<EnvoyConfigurationException>(() => scheduler.AddFlow(NewFlow("bad"), Chain(null), new FlowOptions { ConcurrencyLimit = limit }));

        Assert.Contains("ConcurrencyLimit", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1", error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a\0b")]
    [InlineData(null, 201)]
    public async Task Concurrency_Schedule_RefusesABadKey_AndCreatesNothing(string? key, int length = 0)
    {
        key ??= new string('k', length);
        var scheduler = NewScheduler();
        var flow = NewFlow("limited");
        scheduler.AddFlow(flow, Chain(null), new FlowOptions { ConcurrencyLimit = 2 });

        var error = await Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleAsync(flow, 1, new ScheduleOptions { ConcurrencyKey = key }));

        Assert.Contains("ConcurrencyKey", error.Message, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = flow }));
    }
}
