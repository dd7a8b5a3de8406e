using System.Collections.Concurrent;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Claim_MarksJobRunningWithLeaseAttemptAndHistory()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow, createdAt: T0 - 50, runAt: T0 - 50);
        var created = await GetAsync(id);

        var claimed = await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + Lease);

        Assert.Equal(JobStatus.Running, claimed.Status);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal(T0, claimed.StartedAtMs);
        Assert.Equal(T0, claimed.UpdatedAtMs);
        Assert.True(claimed.Version > created.Version, "A claim must change the job's version.");
        AssertSameJson(created.ContextJson, claimed.ContextJson);
        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(claimed.Version, stored.Version);
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(JobEventKind.Claimed, last.Kind);
        Assert.Equal(JobStatus.Pending, last.From);
        Assert.Equal(JobStatus.Running, last.To);
        Assert.Equal(At(T0), last.At);
    }

    [Fact]
    public async Task Claim_OrdersByPriorityThenRunAtThenAge()
    {
        var flow = NewFlow();
        var lowOld = await CreateAsync(flow, priority: 0, runAt: T0 - 3000, createdAt: T0 - 3000);
        var lowYoung = await CreateAsync(flow, priority: 0, runAt: T0 - 3000, createdAt: T0 - 2000);
        var highLate = await CreateAsync(flow, priority: 5, runAt: T0 - 10, createdAt: T0 - 1000);
        var highEarly = await CreateAsync(flow, priority: 5, runAt: T0 - 1000, createdAt: T0 - 900);
        var negative = await CreateAsync(flow, priority: -1, runAt: T0 - 9000, createdAt: T0 - 9000);
        var lowLate = await CreateAsync(flow, priority: 0, runAt: T0 - 5, createdAt: T0 - 4000);

        var order = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            order.Add(Assert.Single(await ClaimAsync(flow, max: 1)).Id);
        }

        Assert.Equal([highEarly, highLate, lowOld, lowYoung, lowLate, negative], order);
        Assert.Empty(await ClaimAsync(flow));
    }

    [Fact]
    public async Task Claim_BatchesUpToMax()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 - 100 + i, runAt: T0 - 100 + i));
        }

        var first = await ClaimAsync(flow, max: 3);
        var second = await ClaimAsync(flow, max: 3);
        var third = await ClaimAsync(flow, max: 3);
        var fourth = await ClaimAsync(flow, max: 3);

        Assert.Equal(3, first.Count);
        Assert.Equal(3, second.Count);
        Assert.Single(third);
        Assert.Empty(fourth);
        var all = first.Concat(second).Concat(third).Select(j => j.Id).ToList();
        Assert.Equal(ids.Order(), all.Order());
        Assert.All(first.Concat(second).Concat(third), j => Assert.Equal(JobStatus.Running, j.Status));
        Assert.Equal(ids.Take(3).Order(), first.Select(j => j.Id).Order());
    }

    [Fact]
    public async Task Claim_DoesNotClaimBeforeRunAt()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow, runAt: T0 + 1000, createdAt: T0);

        Assert.Empty(await ClaimAsync(flow, now: T0));
        Assert.Empty(await ClaimAsync(flow, now: T0 + 999));
        Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);

        await ClaimOneAsync(flow, id, now: T0 + 1000);
    }

    [Fact]
    public async Task Claim_OnlyTakesTheAskedFlows()
    {
        var flow = NewFlow();
        var other = NewFlow();
        var id = await CreateAsync(other);

        Assert.Empty(await ClaimAsync(flow));
        Assert.Empty(await Store.ClaimAsync(new ClaimRequest(Owner, 10, T0, T0 + Lease, [])));
        Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);

        var both = await Store.ClaimAsync(new ClaimRequest(Owner, 10, T0, T0 + Lease, [flow, other]));

        Assert.Equal(id, Assert.Single(both).Id);
    }

    [Fact]
    public async Task Claim_SkipsBlockingRunningAndTerminalJobs()
    {
        var flow = NewFlow();
        await BlockAsync(flow, ["hook"]);
        var running = await CreateAsync(flow);
        await ClaimOneAsync(flow, running);
        var done = await CreateAsync(flow);
        await FinishByCommitAsync(flow, done, JobStatus.Done);
        var cancelled = await CreateAsync(flow);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(cancelled, JobStatus.Cancelled, "cancelled", T0)).Outcome);

        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 1000));
    }

    [Fact]
    public async Task Claim_RunningJobWithValidLease_IsNotTakenOver()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + 1000);

        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 500));
        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 999));
    }

    [Fact]
    public async Task Claim_ExpiredLease_IsTakenOverByAnotherWorker()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var first = await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + 1000);

        var takeover = await ClaimOneAsync(flow, id, owner: "worker-2", now: T0 + 1001);

        Assert.Equal(2, takeover.Attempts);
        Assert.True(takeover.Version > first.Version, "A takeover must change the job's version.");
        Assert.Equal(T0, takeover.StartedAtMs);
        AssertSameJson(first.ContextJson, takeover.ContextJson);
        var history = await HistoryAsync(id);
        Assert.Equal(2, history.Count(e => e.Kind == JobEventKind.Claimed));
        Assert.Equal(JobStatus.Running, history[^1].From);
        Assert.Equal(JobStatus.Running, history[^1].To);
    }

    [Fact]
    public async Task Claim_OneBatch_TakesExpiredLeasesAndPendingJobsTogether()
    {
        var flow = NewFlow();
        var abandoned = await CreateAsync(flow, runAt: T0 - 10, createdAt: T0 - 10);
        await ClaimOneAsync(flow, abandoned, owner: "dead", now: T0 - 10, leaseUntil: T0 - 5);
        var pending = new[] { await CreateAsync(flow, createdAt: T0 - 9), await CreateAsync(flow, createdAt: T0 - 8) };
        var notDue = await CreateAsync(flow, runAt: T0 + 1000);

        var claimed = await ClaimAsync(flow, owner: "worker-2", now: T0, max: 10);

        Assert.Equal(new[] { abandoned, pending[0], pending[1] }.Order(), claimed.Select(j => j.Id).Order());
        Assert.All(claimed, j => Assert.Equal(JobStatus.Running, j.Status));
        Assert.Equal(2, claimed.Single(j => j.Id == abandoned).Attempts);
        Assert.Equal(JobStatus.Pending, (await GetAsync(notDue)).Status);
    }

    [Fact]
    public async Task Claim_ConcurrentClaimers_NeverClaimAJobTwice()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i, runAt: T0));
        }

        var second = await SecondInstanceOrStoreAsync();
        var claims = new ConcurrentBag<(string Owner, string Id)>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var store = w % 2 == 0 ? Store : second;
            var owner = "worker-" + w;
            while (true)
            {
                var batch = await ClaimAsync(flow, owner, T0 + 1, 4, store: store);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var job in batch)
                {
                    claims.Add((owner, job.Id));
                }
            }
        })));

        Assert.Equal(ids.Count, claims.Count);
        Assert.Equal(ids.Order(), claims.Select(c => c.Id).Order());
        Assert.All(ids, id => Assert.Equal(1, claims.Count(c => c.Id == id)));
    }

    [Fact]
    public async Task Claim_ReturnsResolutionsNotYetApplied()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["hook"]);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, "{\"ok\":true}", null, T0 + 50))).Outcome);

        var claimed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 60);

        var row = ResolutionOf(claimed, "hook");
        Assert.Equal(WaitResolutionKind.Success, row.Kind);
        AssertSameJson("{\"ok\":true}", row.OutputJson!);
        Assert.Null(row.Error);
    }
}

/// <summary>Claims across priority levels with jobs scheduled for later mixed in (the claim walks the levels one by one).</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Claim_SkipsJobsNotYetDue_AtEveryPriorityLevel()
    {
        var flow = NewFlow();
        var later = new List<string>();
        foreach (var priority in new[] { 9, 4, 0, -3 })
        {
            for (var i = 0; i < 5; i++)
            {
                later.Add(await CreateAsync(flow, priority: priority, runAt: T0 + 60_000 + i, createdAt: T0 - 100));
            }
        }

        var dueHigh = await CreateAsync(flow, priority: 4, runAt: T0 - 5, createdAt: T0 - 50);
        var dueMiddleOld = await CreateAsync(flow, priority: 0, runAt: T0 - 20, createdAt: T0 - 40);
        var dueMiddleYoung = await CreateAsync(flow, priority: 0, runAt: T0 - 10, createdAt: T0 - 30);
        var dueLow = await CreateAsync(flow, priority: -7, runAt: T0, createdAt: T0 - 20);

        var order = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            order.Add(Assert.Single(await ClaimAsync(flow, max: 1)).Id);
        }

        Assert.Equal([dueHigh, dueMiddleOld, dueMiddleYoung, dueLow], order);
        Assert.Empty(await ClaimAsync(flow, max: 10));
        // A minute on, three of each level's five later jobs are due (and the four claimed above have expired leases).
        var atLast = (await ClaimAsync(flow, now: T0 + 60_002, max: 50)).Select(j => j.Id).ToList();
        var dueLater = later.Where((_, i) => i % 5 < 3);
        Assert.Equal(dueLater.Concat(order).Order(), atLast.Order());
    }
}
