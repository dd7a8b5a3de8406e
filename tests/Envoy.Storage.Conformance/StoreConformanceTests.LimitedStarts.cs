using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Eager starts of limited jobs (issue 18, a limit that does not bind must cost little): a job with a concurrency limit,
/// scheduled to run now, is inserted claimed when its key has a free slot (counted as a claim counts, over every instance),
/// else pending; the limit is never exceeded.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Concurrency_LimitedStart_WithAFreeSlot_IsInsertedClaimed_WithoutOne_Pending()
    {
        var flow = NewFlow("limited");
        var lease = new JobLease(Owner, T0 + Lease);
        var first = LimitedJobOf(flow, "k", 1) with { Lease = lease };
        var second = LimitedJobOf(flow, "k", 1, createdAt: T0 + 1) with { Lease = lease };
        var otherKey = LimitedJobOf(flow, "other", 1, createdAt: T0 + 2) with { Lease = lease };

        var started = await Store.CreateLimitedJobAsync(first);
        var held = await Store.CreateLimitedJobAsync(second);
        var beside = await Store.CreateLimitedJobAsync(otherKey);

        Assert.Equal(new CreatedJob(first.Id, Started: true), started);
        Assert.Equal(new CreatedJob(second.Id, Started: false), held);
        Assert.Equal(new CreatedJob(otherKey.Id, Started: true), beside);
        var running = await GetAsync(first.Id);
        Assert.Equal(JobStatus.Running, running.Status);
        Assert.Equal(1, running.Attempts);
        Assert.Equal([JobEventKind.Scheduled, JobEventKind.Claimed], (await HistoryAsync(first.Id)).Select(e => e.Kind));
        var pending = await GetAsync(second.Id);
        Assert.Equal(JobStatus.Pending, pending.Status);
        Assert.Equal(0, pending.Attempts);
        Assert.Equal(0, pending.Version);
        Assert.Null(pending.StartedAtMs);
        Assert.Equal([JobEventKind.Scheduled], (await HistoryAsync(second.Id)).Select(e => e.Kind));
        Assert.Equal(1, await Store.CountRunningLimitedAsync(flow, "k"));

        // The held job is the claim's once the started one frees the slot; the started one commits with the record it holds.
        Assert.Empty(await ClaimAsync(flow, "worker-2", now: T0 + 5));
        Assert.True(await CommitOneAsync(StepOf(first.ToClaimedRecord(), JobStatus.Done, now: T0 + 6)));
        Assert.Equal(second.Id, Assert.Single(await ClaimAsync(flow, "worker-2", now: T0 + 7)).Id);
    }

    [Fact]
    public async Task Concurrency_LimitedStart_WithAUsedIdempotencyKey_ReturnsTheExistingJob_AndStartsNothing()
    {
        var flow = NewFlow("limited");
        var key = "key-" + NewId();
        var existing = await Store.CreateJobAsync(LimitedJobOf(flow, "k", 2) with { IdempotencyKey = key });
        var again = LimitedJobOf(flow, "k", 2, createdAt: T0 + 1) with { IdempotencyKey = key, Lease = new JobLease(Owner, T0 + Lease) };

        var created = await Store.CreateLimitedJobAsync(again);

        Assert.Equal(new CreatedJob(existing, Started: false), created);
        Assert.Null(await Store.GetJobAsync(again.Id));
        Assert.Equal(JobStatus.Pending, (await GetAsync(existing)).Status);
        Assert.Equal(0, await Store.CountRunningLimitedAsync(flow, "k"));
    }

    [Fact]
    public async Task Concurrency_LimitedStartsAndClaims_OnSeveralInstances_NeverExceedTheLimit()
    {
        var flow = NewFlow("limited");
        await CreateLimitedAsync(flow, "k", 3, 10);
        var second = await SecondInstanceOrStoreAsync();
        var third = await SecondInstanceOrStoreAsync();
        IJobStore[] stores = [Store, second, third];

        // Eager starts and claims of one key at once, from three instances: exactly the limit runs.
        var starts = Enumerable.Range(0, 24).Select(i => stores[i % 3].CreateLimitedJobAsync(
            LimitedJobOf(flow, "k", 3, createdAt: T0 + 100 + i) with { Lease = new JobLease($"starter-{i}", T0 + Lease) }));
        var claims = Enumerable.Range(0, 6).Select(i => stores[i % 3].ClaimAsync(new ClaimRequest($"claimer-{i}", 2, T0 + 1, T0 + Lease, [flow])));
        var startTask = Task.WhenAll(starts);
        var claimTask = Task.WhenAll(claims);
        await Task.WhenAll(startTask, claimTask);

        var started = (await startTask).Count(c => c.Started);
        var claimed = (await claimTask).Sum(c => c.Count);
        Assert.Equal(3, started + claimed);
        Assert.Equal(3, await Store.CountRunningLimitedAsync(flow, "k"));
        Assert.Equal(34 - 3, (await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Pending, Limit = 100 })).Count);
    }

    [Fact]
    public async Task Concurrency_Scheduler_ALimitedJobWithAFreeSlot_StartsAtOnce_WithoutAClaim()
    {
        var flow = NewFlow("limited");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // One slot per claim: a claim in flight holds the slots it asked for until it returns (with the default batch, all
        // four), so three slots are always free here for the eager start this test is about.
        var scheduler = NewScheduler(configure: o =>
        {
            o.EagerStart = true;
            o.ClaimBatchSize = 1;
        });
        scheduler.AddFlow(
            flow,
            new StateFlow(
            [
                new State("A")
                {
                    OnState = ctx =>
                    {
                        started.TrySetResult();
                        return Task.FromResult(ctx);
                    },
                    Router = Router.End,
                },
            ]),
            new FlowOptions { ConcurrencyLimit = 100_000 });
        await scheduler.StartAsync();

        var scheduled = await scheduler.ScheduleJobAsync(flow, options: new ScheduleOptions { ConcurrencyKey = "tenant-a" });

        // Inserted claimed by this scheduler, as an unlimited job is: the returned job is already running.
        Assert.Equal(JobStatus.Running, scheduled.Job!.Status);
        await started.Task.WaitAsync(JobTimeout);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(scheduled.Id, JobTimeout)).Status);
        var history = await scheduler.GetJobHistoryAsync(scheduled.Id);
        Assert.Equal(JobEventKind.Claimed, history[1].Kind);
        Assert.Equal(history[0].At, history[1].At);
    }
}
