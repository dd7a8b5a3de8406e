using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task FinishJob_CancelPending_IsCancelledWithErrorAndHistory()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var before = await GetAsync(id);

        var result = await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 10);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.Equal("cancelled", job.Error);
        Assert.Equal(T0 + 10, job.FinishedAtMs);
        Assert.Equal(T0 + 10, job.UpdatedAtMs);
        Assert.True(job.Version > before.Version, "Finishing must change the job's version.");
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(JobEventKind.Cancelled, last.Kind);
        Assert.Equal(JobStatus.Pending, last.From);
        Assert.Equal(JobStatus.Cancelled, last.To);
        Assert.Empty(await ClaimAsync(flow, now: T0 + 20));
    }

    [Fact]
    public async Task FinishJob_FailBlocking_IsFailedWithReasonAndKeepsRetries()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 1) with { Retries = 2, Error = "flaky", RunAtMs = T0 + 1 }));
        var again = await ClaimOneAsync(flow, id, now: T0 + 2);
        Assert.True(await CommitOneAsync(StepOf(again, JobStatus.Blocking, now: T0 + 3) with { Retries = 2, Waits = [new NewWait("hook", "external")] }));

        var result = await Store.FinishJobAsync(id, JobStatus.Failed, "operator gave up", T0 + 10);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("operator gave up", job.Error);
        Assert.Equal(2, job.Retries);
        Assert.Equal(T0 + 10, job.FinishedAtMs);
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(JobEventKind.Failed, last.Kind);
        Assert.Equal(JobStatus.Blocking, last.From);
        Assert.Equal(JobStatus.Failed, last.To);
    }

    [Fact]
    public async Task FinishJob_Running_TakesTheLeaseAwayFromItsWorker()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);

        Assert.Empty(await Store.RenewLeasesAsync(Owner, [id], T0 + 2 * Lease));
        Assert.False(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 20)));
        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 10 * Lease));
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(id)).Status);
    }

    [Theory]
    [InlineData(JobStatus.Pending, JobStatus.Cancelled)]
    [InlineData(JobStatus.Pending, JobStatus.Failed)]
    [InlineData(JobStatus.Running, JobStatus.Cancelled)]
    [InlineData(JobStatus.Running, JobStatus.Failed)]
    [InlineData(JobStatus.Blocking, JobStatus.Cancelled)]
    [InlineData(JobStatus.Blocking, JobStatus.Failed)]
    public async Task FinishJob_FromEveryNonTerminalStatus_EndsTheJobForGood(JobStatus from, JobStatus to)
    {
        var flow = NewFlow();
        var id = from == JobStatus.Blocking ? (await BlockAsync(flow, ["hook"])).Id : await CreateAsync(flow);
        if (from == JobStatus.Running)
        {
            await ClaimOneAsync(flow, id);
        }

        Assert.Equal(from, (await GetAsync(id)).Status);

        var result = await Store.FinishJobAsync(id, to, "ended by hand", T0 + 50);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(id);
        Assert.Equal(to, job.Status);
        Assert.Equal("ended by hand", job.Error);
        Assert.Equal(T0 + 50, job.FinishedAtMs);
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(to == JobStatus.Cancelled ? JobEventKind.Cancelled : JobEventKind.Failed, last.Kind);
        Assert.Equal(from, last.From);
        Assert.Equal(to, last.To);
        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 100 * Lease));
        Assert.Equal(StoreOutcome.JobTerminal, (await Store.ResolveWaitAsync(new WaitResolution(id, "hook", WaitResolutionKind.Success, null, null, T0 + 60))).Outcome);
    }

    [Fact]
    public async Task FinishJob_UnknownJob_IsJobNotFound()
    {
        Assert.Equal(StoreOutcome.JobNotFound, (await Store.FinishJobAsync(NewId(), JobStatus.Cancelled, "cancelled", T0)).Outcome);
        Assert.Equal(StoreOutcome.JobNotFound, (await Store.FinishJobAsync(NewId(), JobStatus.Failed, "failed", T0)).Outcome);
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Done)]
    public async Task FinishJob_ToANonHandStatus_IsRefused(JobStatus status)
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var before = await GetAsync(id);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.FinishJobAsync(id, status, "x", T0 + 10));

        AssertUnchanged(before, await GetAsync(id));
    }

    [Fact]
    public async Task FinishJob_CancelsEveryUnfinishedDescendant_AndLeavesFinishedOnes()
    {
        var flows = (Root: NewFlow("root"), Child: NewFlow("child"), Grandchild: NewFlow("grandchild"));
        var (root, children) = await SpawnAsync(flows.Root, flows.Child, 3);
        var blockingChild = children[0].ChildId;
        var doneChild = children[1].ChildId;
        var runningChild = children[2].ChildId;

        // The children share a flow, priority and run-at, so they are claimed in creation order.
        var claimedBlocking = await ClaimOneAsync(flows.Child, blockingChild, now: T0 + 20);
        await FinishByCommitAsync(flows.Child, doneChild, JobStatus.Done, now: T0 + 20);
        var grandchildren = new[] { NewId(), NewId() };
        Assert.True(await CommitOneAsync(StepOf(claimedBlocking, JobStatus.Blocking, now: T0 + 21) with
        {
            Waits = [new NewWait("g1", "spawn"), new NewWait("g2", "spawn")],
            Children = [JobOf(flows.Grandchild, grandchildren[0], createdAt: T0 + 21, parentId: blockingChild, parentWaitId: "g1"), JobOf(flows.Grandchild, grandchildren[1], createdAt: T0 + 22, parentId: blockingChild, parentWaitId: "g2")],
        }));
        var runningGrandchild = await ClaimOneAsync(flows.Grandchild, grandchildren[0], owner: "worker-2", now: T0 + 30);
        var claimedRunningChild = await ClaimOneAsync(flows.Child, runningChild, owner: "worker-3", now: T0 + 31);

        var result = await Store.FinishJobAsync(root, JobStatus.Cancelled, "cancelled", T0 + 40);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(root)).Status);
        foreach (var id in new[] { blockingChild, runningChild, grandchildren[0], grandchildren[1] })
        {
            var job = await GetAsync(id);
            Assert.Equal(JobStatus.Cancelled, job.Status);
            Assert.Equal(T0 + 40, job.FinishedAtMs);
            Assert.False(string.IsNullOrEmpty(job.Error));
            Assert.Contains(await HistoryAsync(id), e => e.Kind == JobEventKind.Cancelled);
        }

        Assert.Equal(JobStatus.Done, (await GetAsync(doneChild)).Status);
        Assert.False(await CommitOneAsync(StepOf(runningGrandchild, JobStatus.Done, owner: "worker-2", now: T0 + 50)));
        Assert.False(await CommitOneAsync(StepOf(claimedRunningChild, JobStatus.Done, owner: "worker-3", now: T0 + 50)));
        Assert.Empty(await Store.RenewLeasesAsync("worker-2", [grandchildren[0]], T0 + 2 * Lease));
        Assert.Empty(await ClaimAsync(flows.Grandchild, now: T0 + 10 * Lease));
        Assert.Empty(await ClaimAsync(flows.Child, now: T0 + 10 * Lease));
    }

    [Fact]
    public async Task FinishJob_Child_ResolvesTheParentWait_AndUnblocksItAfterTheLast()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 2);

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(children[0].ChildId, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);

        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Blocking, parent.Status);
        var cancelled = ResolutionOf(parent, children[0].WaitId);
        Assert.Equal(WaitResolutionKind.Cancelled, cancelled.Kind);
        Assert.Equal("cancelled", cancelled.Error);

        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(children[1].ChildId, JobStatus.Failed, "operator failed it", T0 + 20)).Outcome);

        parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        var failed = ResolutionOf(parent, children[1].WaitId);
        Assert.Equal(WaitResolutionKind.Error, failed.Kind);
        Assert.Equal("operator failed it", failed.Error);
        Assert.NotEqual(JobStatus.Cancelled, parent.Status);
        await ClaimOneAsync(parentFlow, parentId, now: T0 + 20);
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task FinishJob_TerminalJob_IsJobTerminalAndChangesNothing(JobStatus terminal)
    {
        var flow = NewFlow();
        var id = await ReachTerminalAsync(flow, terminal);
        var before = await GetAsync(id);
        var history = await HistoryAsync(id);

        var cancel = await Store.FinishJobAsync(id, JobStatus.Cancelled, "again", T0 + 500);
        var fail = await Store.FinishJobAsync(id, JobStatus.Failed, "again", T0 + 500);

        Assert.Equal(StoreOutcome.JobTerminal, cancel.Outcome);
        Assert.Equal(terminal, cancel.Status);
        Assert.Equal(StoreOutcome.JobTerminal, fail.Outcome);
        Assert.Equal(terminal, fail.Status);
        AssertUnchanged(before, await GetAsync(id));
        Assert.Equal(history.Count, (await HistoryAsync(id)).Count);
    }

    [Fact]
    public async Task RetryJob_Failed_IsPendingAgainWithAFreshBudget()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Failed, now: T0 + 10) with { Error = "boom", Retries = 3 }));

        var result = await Store.RetryJobAsync(id, T0 + 100);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Null(job.Error);
        Assert.Null(job.FinishedAtMs);
        Assert.Equal(0, job.Retries);
        Assert.True(job.RunAtMs <= T0 + 100, "A retried job must be due at once.");
        AssertSameJson(ContextJson(id, "B"), job.ContextJson);
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(JobEventKind.Retried, last.Kind);
        Assert.Equal(JobStatus.Failed, last.From);
        Assert.Equal(JobStatus.Pending, last.To);
        var again = await ClaimOneAsync(flow, id, now: T0 + 100);
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task RetryJob_UnknownJob_IsJobNotFound()
    {
        Assert.Equal(StoreOutcome.JobNotFound, (await Store.RetryJobAsync(NewId(), T0)).Outcome);
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Blocking)]
    [InlineData(JobStatus.Done)]
    public async Task RetryJob_NotFailedOrCancelled_IsWrongStatusAndChangesNothing(JobStatus status)
    {
        var flow = NewFlow();
        string id;
        switch (status)
        {
            case JobStatus.Pending:
                id = await CreateAsync(flow);
                break;
            case JobStatus.Running:
                id = await CreateAsync(flow);
                await ClaimOneAsync(flow, id);
                break;
            case JobStatus.Blocking:
                id = (await BlockAsync(flow, ["hook"])).Id;
                break;
            default:
                id = await ReachTerminalAsync(flow, status);
                break;
        }

        var before = await GetAsync(id);

        var result = await Store.RetryJobAsync(id, T0 + 500);

        Assert.Equal(StoreOutcome.WrongStatus, result.Outcome);
        Assert.Equal(status, result.Status);
        AssertUnchanged(before, await GetAsync(id));
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task TerminalStatus_NeverChanges(JobStatus terminal)
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id, leaseUntil: T0 + 1000);
        if (terminal == JobStatus.Cancelled)
        {
            Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);
        }
        else
        {
            Assert.True(await CommitOneAsync(StepOf(claimed, terminal, now: T0 + 10) with { Error = terminal == JobStatus.Failed ? "boom" : null }));
        }

        var before = await GetAsync(id);
        var history = await HistoryAsync(id);

        Assert.Equal(StoreOutcome.JobTerminal, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "x", T0 + 20)).Outcome);
        Assert.Equal(StoreOutcome.JobTerminal, (await Store.FinishJobAsync(id, JobStatus.Failed, "x", T0 + 20)).Outcome);
        Assert.Equal(StoreOutcome.JobTerminal, (await Store.ResolveWaitAsync(new WaitResolution(id, "hook", WaitResolutionKind.Success, null, null, T0 + 20))).Outcome);
        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 100 * Lease));
        Assert.Empty(await Store.RenewLeasesAsync(Owner, [id], T0 + 100 * Lease));
        foreach (var status in Enum.GetValues<JobStatus>())
        {
            Assert.False(await CommitOneAsync(StepOf(claimed, status, now: T0 + 30)));
            Assert.False(await CommitOneAsync(StepOf(before, status, now: T0 + 30)));
            Assert.False(await CommitOneAsync(StepOf(before, status, owner: "worker-2", now: T0 + 30)));
        }

        if (terminal == JobStatus.Done)
        {
            Assert.Equal(StoreOutcome.WrongStatus, (await Store.RetryJobAsync(id, T0 + 40)).Outcome);
        }

        AssertUnchanged(before, await GetAsync(id));
        Assert.Equal(history.Count, (await HistoryAsync(id)).Count);
    }

    /// <summary>A job of <paramref name="flow"/> brought to a terminal status the way the scheduler does it.</summary>
    private async Task<string> ReachTerminalAsync(string flow, JobStatus terminal)
    {
        var id = await CreateAsync(flow);
        if (terminal == JobStatus.Cancelled)
        {
            Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 1)).Outcome);
        }
        else
        {
            await FinishByCommitAsync(flow, id, terminal, now: T0 + 1, error: "boom");
        }

        return id;
    }
}
