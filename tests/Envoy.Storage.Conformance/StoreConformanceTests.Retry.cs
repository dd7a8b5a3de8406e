using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>Retry of failed and cancelled jobs: the waits that could no longer resolve are set up again.</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task RetryJob_Cancelled_IsPendingAgainWithAFreshBudget()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 1) with { Retries = 2, Error = "flaky", RunAtMs = T0 + 1 }));
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);

        var result = await Store.RetryJobAsync(id, T0 + 100);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Pending, result.Status);
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Null(job.Error);
        Assert.Null(job.FinishedAtMs);
        Assert.Equal(0, job.Retries);
        AssertSameJson(ContextJson(id, "B"), job.ContextJson);
        var last = (await HistoryAsync(id))[^1];
        Assert.Equal(JobEventKind.Retried, last.Kind);
        Assert.Equal(JobStatus.Cancelled, last.From);
        Assert.Equal(JobStatus.Pending, last.To);
        await ClaimOneAsync(flow, id, now: T0 + 100);
    }

    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task RetryJob_EndedByHandWhileBlocking_BlocksAgainOnItsPendingWaits_AndKeepsItsResolutions(JobStatus ended)
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "1", null, T0 + 5))).Outcome);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(blocked.Id, ended, "by hand", T0 + 10)).Outcome);

        var result = await Store.RetryJobAsync(blocked.Id, T0 + 20);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Blocking, result.Status);
        var job = await GetAsync(blocked.Id);
        Assert.Equal(JobStatus.Blocking, job.Status);
        Assert.Null(job.Error);
        Assert.Null(job.FinishedAtMs);
        Assert.Equal(0, job.Retries);
        Assert.Equal("a", Assert.Single(job.Resolutions).WaitId);
        var last = (await HistoryAsync(blocked.Id))[^1];
        Assert.Equal(JobEventKind.Retried, last.Kind);
        Assert.Equal(ended, last.From);
        Assert.Equal(JobStatus.Blocking, last.To);
        Assert.Empty(await ClaimAsync(flow, now: T0 + 30));

        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "b", WaitResolutionKind.Success, "2", null, T0 + 40))).Outcome);

        Assert.Equal(JobStatus.Pending, (await GetAsync(blocked.Id)).Status);
        var claimed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 40);
        Assert.Equal(["a", "b"], claimed.Resolutions.Select(r => r.WaitId).Order());
    }

    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task RetryJob_ParentEndedByHand_RetriesTheDescendantsItsEndCancelled_AndLeavesFinishedOnes(JobStatus ended)
    {
        var flows = (Parent: NewFlow("parent"), Child: NewFlow("child"), Grandchild: NewFlow("grandchild"));
        var (parentId, children) = await SpawnAsync(flows.Parent, flows.Child, 2);
        var doneChild = children[0];
        var blockingChild = children[1];
        await FinishByCommitAsync(flows.Child, doneChild.ChildId, JobStatus.Done, now: T0 + 10, output: 7);
        var claimedChild = await ClaimOneAsync(flows.Child, blockingChild.ChildId, now: T0 + 20);
        var grandchild = NewId();
        Assert.True(await CommitOneAsync(StepOf(claimedChild, JobStatus.Blocking, now: T0 + 21) with
        {
            Waits = [new NewWait("g", WaitTypes.Spawn)],
            Children = [JobOf(flows.Grandchild, grandchild, runAt: T0 + 21, createdAt: T0 + 21, parentId: blockingChild.ChildId, parentWaitId: "g")],
        }));
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(parentId, ended, "by hand", T0 + 30)).Outcome);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(blockingChild.ChildId)).Status);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(grandchild)).Status);

        var result = await Store.RetryJobAsync(parentId, T0 + 40);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Blocking, result.Status);
        Assert.Equal(JobStatus.Blocking, (await GetAsync(parentId)).Status);
        Assert.Equal(JobStatus.Done, (await GetAsync(doneChild.ChildId)).Status);
        var child = await GetAsync(blockingChild.ChildId);
        Assert.Equal(JobStatus.Blocking, child.Status);
        Assert.Null(child.Error);
        Assert.Null(child.FinishedAtMs);
        Assert.Equal(JobStatus.Cancelled, (await HistoryAsync(child.Id))[^1].From);
        var revived = await GetAsync(grandchild);
        Assert.Equal(JobStatus.Pending, revived.Status);
        Assert.Equal(0, revived.Retries);
        Assert.Equal(JobEventKind.Retried, (await HistoryAsync(grandchild))[^1].Kind);

        // The revived descendants finish as any child does, and their parents' waits resolve up the tree.
        await FinishByCommitAsync(flows.Grandchild, grandchild, JobStatus.Done, now: T0 + 50, output: 1);
        Assert.Equal(JobStatus.Pending, (await GetAsync(blockingChild.ChildId)).Status);
        await FinishByCommitAsync(flows.Child, blockingChild.ChildId, JobStatus.Done, now: T0 + 60, output: 2);
        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(parent, blockingChild.WaitId).Kind);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(parent, doneChild.WaitId).Kind);
    }

    [Fact]
    public async Task RetryJob_CancelledWithAPendingEscalation_MakesItPendingAgain_AndAReplyResumesTheJob()
    {
        var flow = NewFlow();
        var (jobId, escalationId) = await EscalateAsync(flow, "ann-" + NewId(), T0);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(jobId, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);
        Assert.Equal(EscalationStatus.Cancelled, (await Store.GetEscalationAsync(escalationId))!.Status);

        var result = await Store.RetryJobAsync(jobId, T0 + 20);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Blocking, (await GetAsync(jobId)).Status);
        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Pending, escalation!.Status);
        Assert.Null(escalation.Response);
        Assert.Null(escalation.AnsweredAt);
        Assert.Contains(await Store.ListEscalationsAsync(EscalationStatus.Pending, escalation.User), e => e.Id == escalationId);

        Assert.Equal(StoreOutcome.Ok, (await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{\"note\":\"again\"}", "bob", T0 + 30))).Outcome);

        Assert.Equal(EscalationStatus.Approved, (await Store.GetEscalationAsync(escalationId))!.Status);
        await ClaimOneAsync(flow, jobId, now: T0 + 30);
    }

    [Fact]
    public async Task RetryJob_ConcurrentRetries_ExactlyOneApplies()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);
        var second = await SecondInstanceOrStoreAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => (i % 2 == 0 ? Store : second).RetryJobAsync(id, T0 + 20))));

        Assert.Single(results, r => r.Outcome == StoreOutcome.Ok);
        Assert.All(results.Where(r => r.Outcome != StoreOutcome.Ok), r => Assert.Equal((StoreOutcome.WrongStatus, JobStatus.Pending), (r.Outcome, r.Status!.Value)));
        Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.Retried);
    }
}
