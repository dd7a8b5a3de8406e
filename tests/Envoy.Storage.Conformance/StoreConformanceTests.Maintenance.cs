using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task RunMaintenance_PutsJobsWithExpiredLeasesBackToPending_AndTheOldOwnerLosesThem()
    {
        var flow = NewFlow();
        var expired = await CreateAsync(flow, createdAt: T0);
        var alive = await CreateAsync(flow, createdAt: T0 + 1);
        var old = await ClaimOneAsync(flow, expired, now: T0, leaseUntil: T0 + 1000);
        var kept = await ClaimOneAsync(flow, alive, now: T0, leaseUntil: T0 + 1_000_000);

        var result = await Store.RunMaintenanceAsync(T0, T0 + 2000, limit: 100);

        Assert.Contains(expired, result.ExpiredLeases);
        Assert.DoesNotContain(alive, result.ExpiredLeases);
        var job = await GetAsync(expired);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.True(job.Version > old.Version, "The sweep must give the job a new version.");
        var last = (await HistoryAsync(expired))[^1];
        Assert.Equal(JobEventKind.LeaseExpired, last.Kind);
        Assert.Equal(JobStatus.Running, last.From);
        Assert.Equal(JobStatus.Pending, last.To);

        Assert.Empty(await Store.RenewLeasesAsync(Owner, [expired], T0 + 60_000));
        Assert.False(await CommitOneAsync(StepOf(old, JobStatus.Done, now: T0 + 2001)));
        Assert.Equal(JobStatus.Running, (await GetAsync(alive)).Status);
        Assert.True(await CommitOneAsync(StepOf(kept, JobStatus.Done, now: T0 + 2001)));

        var again = await ClaimOneAsync(flow, expired, owner: "worker-2", now: T0 + 3000);
        Assert.True(await CommitOneAsync(StepOf(again, JobStatus.Done, owner: "worker-2", now: T0 + 3001)));
    }

    [Fact]
    public async Task RunMaintenance_SweepsAtMostTheLimit_OldestExpiryFirst()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = await CreateAsync(flow, createdAt: T0 + i);
            await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + 100 + i);
            ids.Add(id);
        }

        // Other tests' jobs in the same store may have expired too, before ours (their leases end near T0): sweep them first.
        while ((await Store.RunMaintenanceAsync(T0, T0 + 99, limit: 1000)).ExpiredLeases.Count > 0)
        {
        }

        var first = await Store.RunMaintenanceAsync(T0, T0 + 10_000, limit: 2);
        Assert.Equal(ids.Take(2), first.ExpiredLeases);
        var second = await Store.RunMaintenanceAsync(T0, T0 + 10_000, limit: 2);
        Assert.Equal([ids[2]], second.ExpiredLeases);
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);
        }
    }

    [Fact]
    public async Task RunMaintenance_CountsDelayedJobsThatCameDue_InItsWindowOnly()
    {
        var flow = NewFlow();
        var far = T0 + 5_000_000_000; // later than any other test's jobs
        await CreateAsync(flow, runAt: far + 1000);
        await CreateAsync(flow, runAt: far + 1500);

        Assert.Equal(0, (await Store.RunMaintenanceAsync(far, far + 999, limit: 10)).PromotedJobs);
        Assert.Equal(1, (await Store.RunMaintenanceAsync(far + 999, far + 1000, limit: 10)).PromotedJobs);
        Assert.Equal(1, (await Store.RunMaintenanceAsync(far + 1000, far + 2000, limit: 10)).PromotedJobs);
        Assert.Equal(0, (await Store.RunMaintenanceAsync(far + 2000, far + 3000, limit: 10)).PromotedJobs);
        Assert.Equal(2, (await Store.RunMaintenanceAsync(far, far + 3000, limit: 10)).PromotedJobs);
    }

    [Fact]
    public async Task RunMaintenance_WakesIdleWorkers_WhenItFindsWork()
    {
        var flow = NewFlow();
        var far = T0 + 6_000_000_000;
        await CreateAsync(flow, runAt: far + 10);
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Store.Signals.Subscribe(signal =>
        {
            if (signal.Kind == Runtime.Coordination.JobSignalKind.Ready)
            {
                woken.TrySetResult();
            }
        });

        await Store.RunMaintenanceAsync(far, far + 20, limit: 10);

        await woken.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task GetJobStatus_FollowsTheJob_AndIsNullForAnUnknownJob()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        Assert.Equal(JobStatus.Pending, await Store.GetJobStatusAsync(id));
        var claimed = await ClaimOneAsync(flow, id);
        Assert.Equal(JobStatus.Running, await Store.GetJobStatusAsync(id));
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done)));
        Assert.Equal(JobStatus.Done, await Store.GetJobStatusAsync(id));
        Assert.Null(await Store.GetJobStatusAsync(NewId()));
    }

    [Fact]
    public async Task GetJobStatus_SeesChangesWhoseNewStatusTheWriterDidNotKnow()
    {
        // A cancelled parent cancels its children in the store: a status cache must not keep showing them as pending.
        var (parentId, children) = await SpawnAsync(NewFlow("parent"), NewFlow("child"), 2);
        Assert.Equal(JobStatus.Pending, await Store.GetJobStatusAsync(children[0].ChildId));

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(parentId, JobStatus.Cancelled, "stop", T0 + 5)).Outcome);

        Assert.Equal(JobStatus.Cancelled, await Store.GetJobStatusAsync(parentId));
        Assert.Equal(JobStatus.Cancelled, await Store.GetJobStatusAsync(children[0].ChildId));
        Assert.Equal(JobStatus.Cancelled, await Store.GetJobStatusAsync(children[1].ChildId));
    }

    [Fact]
    public async Task CountJobs_HasEveryStatus_AndCountsTheJobs()
    {
        var before = await Store.CountJobsAsync();
        Assert.Equal(Enum.GetValues<JobStatus>().Order(), before.Keys.Order());

        var flow = NewFlow();
        await CreateAsync(flow);
        var done = await CreateAsync(flow, createdAt: T0 + 1);
        await CreateAsync(flow, createdAt: T0 + 2);
        var claimed = await ClaimAsync(flow, max: 2);
        Assert.True(await CommitOneAsync(StepOf(claimed.Single(j => j.Id == done), JobStatus.Done)));

        // Counts may be cached for about a second where the store has a cache: wait until they show the new jobs.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        IReadOnlyDictionary<JobStatus, long> after;
        do
        {
            after = await Store.CountJobsAsync();
        }
        while (after.Values.Sum() < before.Values.Sum() + 3 && DateTime.UtcNow < deadline && await Delay());

        Assert.Equal(before.Values.Sum() + 3, after.Values.Sum());
        Assert.Equal(before[JobStatus.Done] + 1, after[JobStatus.Done]);
        Assert.Equal(before[JobStatus.Running] + 1, after[JobStatus.Running]);
        Assert.Equal(before[JobStatus.Pending] + 1, after[JobStatus.Pending]);

        static async Task<bool> Delay()
        {
            await Task.Delay(100);
            return true;
        }
    }

    [Fact]
    public async Task LeaderLock_OneHolderAtATime_AndTheNextTakesOverOnRelease()
    {
        await using var first = Store.CreateLeaderLock();
        await using var second = Store.CreateLeaderLock();
        var ttl = TimeSpan.FromSeconds(30);

        Assert.True(await first.TryHoldAsync(ttl));
        Assert.False(await second.TryHoldAsync(ttl));
        Assert.True(await first.TryHoldAsync(ttl), "Holding again renews.");
        Assert.False(await second.TryHoldAsync(ttl));

        await first.ReleaseAsync();
        Assert.True(await second.TryHoldAsync(ttl));
        Assert.False(await first.TryHoldAsync(ttl));
        await second.ReleaseAsync();
    }
}
