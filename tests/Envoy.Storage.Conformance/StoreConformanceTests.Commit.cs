using System.Text.Json;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Commit_Running_AdvancesContextAndVersionAndRenewsLease()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + 1000);
        var commit = StepOf(claimed, JobStatus.Running, now: T0 + 500, state: "B", output: 5) with { LeaseUntilMs = T0 + 5000 };

        Assert.True(await CommitOneAsync(commit));

        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(claimed.Version + 1, stored.Version);
        Assert.Equal(T0 + 500, stored.UpdatedAtMs);
        Assert.Null(stored.FinishedAtMs);
        AssertSameJson(commit.ContextJson, stored.ContextJson);
        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 4000));
        var next = StepOf(stored, JobStatus.Done, now: T0 + 600, state: "C");
        Assert.True(await CommitOneAsync(next));
        Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task Commit_Done_IsTerminalWithFinishTimeAndReleasedLease()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);

        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 20)));

        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Done, stored.Status);
        Assert.Equal(T0 + 20, stored.FinishedAtMs);
        Assert.Null(stored.Error);
        Assert.Empty(await Store.RenewLeasesAsync(Owner, [id], T0 + 100_000));
        Assert.Empty(await ClaimAsync(flow, now: T0 + 10 * Lease));
    }

    [Fact]
    public async Task Commit_Failed_KeepsErrorAndRetries()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);

        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Failed, now: T0 + 20) with { Error = "boom", Retries = 3 }));

        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Failed, stored.Status);
        Assert.Equal("boom", stored.Error);
        Assert.Equal(3, stored.Retries);
        Assert.Equal(T0 + 20, stored.FinishedAtMs);
    }

    [Fact]
    public async Task Commit_PendingRetry_WaitsForRunAtThenIsClaimedAgain()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var retry = StepOf(claimed, JobStatus.Pending, now: T0 + 10) with { Error = "try again", Retries = 1, RunAtMs = T0 + 5000 };

        Assert.True(await CommitOneAsync(retry));

        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Pending, stored.Status);
        Assert.Equal(1, stored.Retries);
        Assert.Equal("try again", stored.Error);
        Assert.Equal(T0 + 5000, stored.RunAtMs);
        Assert.Null(stored.FinishedAtMs);
        Assert.Empty(await ClaimAsync(flow, now: T0 + 4999));
        var again = await ClaimOneAsync(flow, id, owner: "worker-2", now: T0 + 5000);
        Assert.Equal(2, again.Attempts);
        Assert.Equal(1, again.Retries);
    }

    [Fact]
    public async Task Commit_WithStaleVersion_IsRefusedAndChangesNothing()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var before = await GetAsync(id);
        var historyBefore = await HistoryAsync(id);
        var (commit, childId, escalationId) = FullStep(claimed, NewFlow("child"));

        Assert.False(await CommitOneAsync(commit with { ExpectedVersion = claimed.Version - 1 }));
        Assert.False(await CommitOneAsync(commit with { ExpectedVersion = claimed.Version + 1 }));

        AssertUnchanged(before, await GetAsync(id));
        Assert.Equal(historyBefore.Count, (await HistoryAsync(id)).Count);
        Assert.Null(await Store.GetJobAsync(childId));
        Assert.Null(await Store.GetEscalationAsync(escalationId));
        Assert.Equal(StoreOutcome.WaitNotFound, (await Store.ResolveWaitAsync(new WaitResolution(id, "hook", WaitResolutionKind.Success, null, null, T0 + 30))).Outcome);
    }

    [Fact]
    public async Task Commit_ByAnotherOwner_IsRefusedAndChangesNothing()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var before = await GetAsync(id);
        var (commit, childId, escalationId) = FullStep(claimed, NewFlow("child"));

        Assert.False(await CommitOneAsync(commit with { Owner = "worker-2" }));

        AssertUnchanged(before, await GetAsync(id));
        Assert.Null(await Store.GetJobAsync(childId));
        Assert.Null(await Store.GetEscalationAsync(escalationId));
        Assert.True(await CommitOneAsync(commit));
    }

    [Fact]
    public async Task Commit_SameCommitTwice_IsAppliedOnce()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var commit = StepOf(claimed, JobStatus.Running, now: T0 + 10);

        var results = await Store.CommitAsync([commit, commit]);
        var again = await CommitOneAsync(commit);

        Assert.Equal([true, false], results);
        Assert.False(again);
        Assert.Equal(claimed.Version + 1, (await GetAsync(id)).Version);
        Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.StepCompleted);
    }

    [Fact]
    public async Task Commit_Batch_ChecksEachCommitOnItsOwn()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i));
        }

        var claimed = (await ClaimAsync(flow, max: 3)).OrderBy(j => ids.IndexOf(j.Id)).ToList();
        var stale = StepOf(claimed[0], JobStatus.Done) with { ExpectedVersion = claimed[0].Version - 1 };
        var good = StepOf(claimed[1], JobStatus.Done);
        var foreign = StepOf(claimed[2], JobStatus.Done, owner: "worker-2");

        var results = await Store.CommitAsync([stale, good, foreign]);

        Assert.Equal([false, true, false], results);
        Assert.Equal(JobStatus.Running, (await GetAsync(ids[0])).Status);
        Assert.Equal(JobStatus.Done, (await GetAsync(ids[1])).Status);
        Assert.Equal(JobStatus.Running, (await GetAsync(ids[2])).Status);
    }

    [Fact]
    public async Task Commit_StepWithChildrenWaitsEscalationAndEvents_IsWrittenTogether()
    {
        var flow = NewFlow();
        var childFlow = NewFlow("child");
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var (commit, childId, escalationId) = FullStep(claimed, childFlow);

        Assert.True(await CommitOneAsync(commit));

        var parent = await GetAsync(id);
        Assert.Equal(JobStatus.Blocking, parent.Status);
        Assert.Equal(claimed.Version + 1, parent.Version);
        AssertSameJson(commit.ContextJson, parent.ContextJson);
        var child = await GetAsync(childId);
        Assert.Equal(JobStatus.Pending, child.Status);
        Assert.Equal(id, child.ParentId);
        Assert.Equal(childFlow, child.Flow);
        Assert.Equal(3, child.Priority);
        Assert.Equal(JobEventKind.Scheduled, Assert.Single(await HistoryAsync(childId)).Kind);
        Assert.Equal(childId, Assert.Single(await Store.ListJobsAsync(new JobQuery { ParentId = id })).Id);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.NotNull(escalation);
        Assert.Equal(EscalationStatus.Pending, escalation!.Status);
        Assert.Equal(id, escalation.JobId);
        var history = await HistoryAsync(id);
        Assert.Equal([JobEventKind.Scheduled, JobEventKind.Claimed, JobEventKind.StepCompleted, JobEventKind.StepCompleted], history.Select(e => e.Kind));
        Assert.Equal("second", history[^1].State);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(id, "hook", WaitResolutionKind.Success, null, null, T0 + 30))).Outcome);
        Assert.Equal(JobStatus.Blocking, (await GetAsync(id)).Status);
        Assert.Equal(id, Assert.Single(await ClaimAsync(childFlow, now: T0 + 20)).ParentId);
    }

    [Fact]
    public async Task Commit_ThatFailsPartway_AppliesNothing()
    {
        var flow = NewFlow();
        var existing = await CreateAsync(NewFlow("other"));
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var before = await GetAsync(id);
        var historyBefore = await HistoryAsync(id);
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        var broken = StepOf(claimed, JobStatus.Blocking) with
        {
            Waits = [new NewWait("ok-child", "spawn"), new NewWait("dup-child", "spawn"), new NewWait(escalationId, "escalation")],
            Escalations = [new NewEscalation(escalationId, "ann", "?", "[]")],
            Children = [JobOf(flow, parentId: id, parentWaitId: "ok-child"), JobOf(flow, existing, parentId: id, parentWaitId: "dup-child")],
        };

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CommitAsync([broken]));

        AssertUnchanged(before, await GetAsync(id));
        Assert.Equal(historyBefore.Count, (await HistoryAsync(id)).Count);
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Null(await Store.GetEscalationAsync(escalationId));
        Assert.Null((await GetAsync(existing)).ParentId);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done)));
    }

    [Fact]
    public async Task Commit_ChildDone_ResolvesParentWaitWithItsOutput_AndUnblocksParentAfterTheLast()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 2);

        await FinishByCommitAsync(childFlow, children[0].ChildId, JobStatus.Done, now: T0 + 100, output: new { sum = 3 });

        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Blocking, parent.Status);
        var row = ResolutionOf(parent, children[0].WaitId);
        Assert.Equal(WaitResolutionKind.Success, row.Kind);
        Assert.Equal(3, JsonDocument.Parse(row.OutputJson!).RootElement.GetProperty("sum").GetInt32());
        Assert.Empty(await ClaimAsync(parentFlow, now: T0 + 150));

        await FinishByCommitAsync(childFlow, children[1].ChildId, JobStatus.Done, now: T0 + 200, output: 7);

        parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        Assert.Equal(2, parent.Resolutions.Count);
        var claimed = await ClaimOneAsync(parentFlow, parentId, now: T0 + 201);
        Assert.Equal("7", ResolutionOf(claimed, children[1].WaitId).OutputJson);
    }

    [Fact]
    public async Task Commit_BatchFinishingChildren_WithOrWithoutTheParentHint_ResolvesEachParentWait_AndAnnouncesOnlyAppliedJobs()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var flow = NewFlow();
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 2);
        var plain = await CreateAsync(flow, createdAt: T0 + 2);
        var refused = await CreateAsync(flow, createdAt: T0 + 3);
        var claimedChildren = (await ClaimAsync(childFlow, max: 2, now: T0 + 10)).ToDictionary(j => j.Id);
        var claimed = (await ClaimAsync(flow, max: 2, now: T0 + 10)).ToDictionary(j => j.Id);
        var peer = await OpenSecondInstanceAsync();
        await using var peerScope = peer;
        using var local = new SignalRecorder(Store.Signals);
        using var remote = new SignalRecorder((peer ?? Store).Signals);
        var withoutHint = StepOf(claimedChildren[children[1].ChildId], JobStatus.Done, now: T0 + 20) with { OutputJson = "2" };
        var stale = StepOf(claimed[refused], JobStatus.Done, now: T0 + 20) with { ExpectedVersion = claimed[refused].Version - 1 };
        var done = StepOf(claimed[plain], JobStatus.Done, now: T0 + 20);
        var withHint = StepOf(claimedChildren[children[0].ChildId], JobStatus.Done, now: T0 + 21) with { OutputJson = "1", ParentId = parentId };

        Assert.Equal([true, false, true], await Store.CommitAsync([withoutHint, stale, done]));
        Assert.Equal(JobStatus.Blocking, (await GetAsync(parentId)).Status);
        Assert.True(await CommitOneAsync(withHint));

        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        Assert.Equal("1", ResolutionOf(parent, children[0].WaitId).OutputJson);
        Assert.Equal("2", ResolutionOf(parent, children[1].WaitId).OutputJson);
        foreach (var id in new[] { children[0].ChildId, children[1].ChildId, plain })
        {
            Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
            Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.StepCompleted);
        }

        Assert.Equal(JobStatus.Running, (await GetAsync(refused)).Status);
        Assert.DoesNotContain(await HistoryAsync(refused), e => e.Kind == JobEventKind.StepCompleted);
        foreach (var recorder in new[] { local, remote })
        {
            foreach (var id in new[] { children[0].ChildId, children[1].ChildId, plain })
            {
                await recorder.WaitForAsync(s => s is { Kind: JobSignalKind.Finished } && s.JobId == id, "an applied terminal commit is announced");
            }

            // The refused commit's job would have been named with the others of its batch, which have all arrived.
            Assert.False(recorder.Saw(s => s is { Kind: JobSignalKind.Finished } && s.JobId == refused), "a refused commit is not announced");
        }
    }

    [Fact]
    public async Task Commit_ChildFailed_ResolvesParentWaitWithTheChildError()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 1);

        await FinishByCommitAsync(childFlow, children[0].ChildId, JobStatus.Failed, error: "child broke");

        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        var row = ResolutionOf(parent, children[0].WaitId);
        Assert.Equal(WaitResolutionKind.Error, row.Kind);
        Assert.Equal("child broke", row.Error);
    }

    [Fact]
    public async Task Commit_ChildCancelled_ResolvesParentWaitAsCancelled_AndLeavesParentRunnable()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 1);

        await FinishByCommitAsync(childFlow, children[0].ChildId, JobStatus.Cancelled, error: "cancelled by flow");

        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        var row = ResolutionOf(parent, children[0].WaitId);
        Assert.Equal(WaitResolutionKind.Cancelled, row.Kind);
        Assert.Equal("cancelled", row.Error);
    }

    [Fact]
    public async Task Commit_FailedForGood_CancelsUnfinishedDescendants()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var grandchildFlow = NewFlow("grandchild");
        var parentId = await CreateAsync(parentFlow);
        var parent = await ClaimOneAsync(parentFlow, parentId);

        // Children recorded under the running parent (as ScheduleOptions.ParentId does): one blocking on a grandchild, one done.
        var (child, grandchildren) = await SpawnAsync(childFlow, grandchildFlow, 1, now: T0 + 10, parentId: parentId);
        var doneChild = await CreateAsync(childFlow, createdAt: T0 + 11, parentId: parentId);
        await FinishByCommitAsync(childFlow, doneChild, JobStatus.Done, now: T0 + 12);

        Assert.True(await CommitOneAsync(StepOf(parent, JobStatus.Failed, now: T0 + 30) with { Error = "parent broke" }));

        Assert.Equal(JobStatus.Failed, (await GetAsync(parentId)).Status);
        var cancelledChild = await GetAsync(child);
        Assert.Equal(JobStatus.Cancelled, cancelledChild.Status);
        Assert.Equal(T0 + 30, cancelledChild.FinishedAtMs);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(grandchildren[0].ChildId)).Status);
        Assert.Equal(JobStatus.Done, (await GetAsync(doneChild)).Status);
        Assert.Contains(await HistoryAsync(grandchildren[0].ChildId), e => e.Kind == JobEventKind.Cancelled);
        Assert.Empty(await ClaimAsync(grandchildFlow, now: T0 + 40));
    }

    [Fact]
    public async Task Commit_ConsumingWaits_ClearsTheirResolutions()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);
        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "1", null, T0 + 10));
        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "b", WaitResolutionKind.Error, null, "no", T0 + 11));
        var claimed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 12);
        Assert.Equal(2, claimed.Resolutions.Count);

        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Running, now: T0 + 13) with { ConsumedWaits = true }));

        Assert.Empty((await GetAsync(blocked.Id)).Resolutions);
    }

    [Fact]
    public async Task Commit_AfterTheJobWasCancelled_IsRefused()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 5)).Outcome);

        Assert.False(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 10)));
        Assert.False(await CommitOneAsync(StepOf(claimed, JobStatus.Running, now: T0 + 10)));

        var stored = await GetAsync(id);
        Assert.Equal(JobStatus.Cancelled, stored.Status);
        Assert.Equal("cancelled", stored.Error);
    }

    /// <summary>A blocking step that spawns a child, waits for a webhook and asks a human, with two history entries.</summary>
    private static (StepCommit Commit, string ChildId, string EscalationId) FullStep(JobRecord claimed, string childFlow)
    {
        var childId = NewId();
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        var commit = StepOf(claimed, JobStatus.Blocking, now: T0 + 20) with
        {
            Children = [JobOf(childFlow, childId, priority: 3, runAt: T0 + 20, createdAt: T0 + 20, parentId: claimed.Id, parentWaitId: "spawn-1")],
            Waits = [new NewWait("spawn-1", "spawn"), new NewWait("hook", "webhook"), new NewWait(escalationId, "escalation")],
            Escalations = [new NewEscalation(escalationId, "ann", "Approve?", "[]")],
            Events =
            [
                new JobEvent(claimed.Id, At(T0 + 20), JobEventKind.StepCompleted, "first", 1, JobStatus.Running, JobStatus.Running, TimeSpan.FromMilliseconds(2)),
                new JobEvent(claimed.Id, At(T0 + 20), JobEventKind.StepCompleted, "second", 2, JobStatus.Running, JobStatus.Blocking, TimeSpan.FromMilliseconds(1)),
            ],
        };
        return (commit, childId, escalationId);
    }
}
