using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ResolveWait_UnknownJob_IsJobNotFound()
    {
        var result = await Store.ResolveWaitAsync(new WaitResolution(NewId(), "hook", WaitResolutionKind.Success, null, null, T0));

        Assert.Equal(StoreOutcome.JobNotFound, result.Outcome);
    }

    [Fact]
    public async Task ResolveWait_UnknownWait_IsWaitNotFoundAndChangesNothing()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["hook"]);
        var history = await HistoryAsync(blocked.Id);
        var pending = await CreateAsync(flow);

        var unknown = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "other", WaitResolutionKind.Success, "1", null, T0 + 10));
        var noWaits = await Store.ResolveWaitAsync(new WaitResolution(pending, "hook", WaitResolutionKind.Success, "1", null, T0 + 10));

        Assert.Equal(StoreOutcome.WaitNotFound, unknown.Outcome);
        Assert.Equal(StoreOutcome.WaitNotFound, noWaits.Outcome);
        AssertUnchanged(blocked, await GetAsync(blocked.Id));
        Assert.Equal(history.Count, (await HistoryAsync(blocked.Id)).Count);
    }

    [Fact]
    public async Task ResolveWait_AChildsOrAnEscalationsWait_IsWaitTypeMismatchAndChangesNothing()
    {
        var (parentId, children) = await SpawnAsync(NewFlow("parent"), NewFlow("child"), 1);
        var (askingId, escalationId) = await EscalateAsync(NewFlow(), "ann-" + NewId(), T0);
        var parent = await GetAsync(parentId);
        var asking = await GetAsync(askingId);
        var histories = (Parent: (await HistoryAsync(parentId)).Count, Asking: (await HistoryAsync(askingId)).Count);

        var spawn = await Store.ResolveWaitAsync(new WaitResolution(parentId, children[0].WaitId, WaitResolutionKind.Success, "1", null, T0 + 10));
        var escalation = await Store.ResolveWaitAsync(new WaitResolution(askingId, escalationId, WaitResolutionKind.Success, "{}", null, T0 + 10));

        Assert.Equal((StoreOutcome.WaitTypeMismatch, WaitTypes.Spawn), (spawn.Outcome, spawn.WaitType));
        Assert.Equal((StoreOutcome.WaitTypeMismatch, WaitTypes.Escalation), (escalation.Outcome, escalation.WaitType));
        AssertUnchanged(parent, await GetAsync(parentId));
        AssertUnchanged(asking, await GetAsync(askingId));
        Assert.Equal(histories, ((await HistoryAsync(parentId)).Count, (await HistoryAsync(askingId)).Count));
        Assert.Equal(EscalationStatus.Pending, (await Store.GetEscalationAsync(escalationId))!.Status);

        // They still resolve their own way.
        Assert.Equal(StoreOutcome.Ok, (await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", null, T0 + 20))).Outcome);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(children[0].ChildId, JobStatus.Cancelled, "cancelled", T0 + 20)).Outcome);
        Assert.Equal(JobStatus.Pending, (await GetAsync(parentId)).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(askingId)).Status);
    }

    [Fact]
    public async Task ResolveWait_AlreadyResolved_IsRefusedAndKeepsTheFirstValue()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "\"first\"", null, T0 + 10))).Outcome);
        var before = await GetAsync(blocked.Id);

        var again = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "\"second\"", null, T0 + 20));
        var asError = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Error, null, "late", T0 + 20));

        Assert.Equal(StoreOutcome.WaitAlreadyResolved, again.Outcome);
        Assert.Equal(StoreOutcome.WaitAlreadyResolved, asError.Outcome);
        var after = await GetAsync(blocked.Id);
        AssertUnchanged(before, after);
        Assert.Equal("\"first\"", ResolutionOf(after, "a").OutputJson);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(after, "a").Kind);
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task ResolveWait_TerminalJob_IsJobTerminalAndChangesNothing(JobStatus terminal)
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);
        if (terminal == JobStatus.Done)
        {
            // A blocking job ends only by hand; a done job with a wait row comes from resolving, running and finishing it.
            await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, null, null, T0 + 5));
            await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "b", WaitResolutionKind.Success, null, null, T0 + 5));
            await FinishByCommitAsync(flow, blocked.Id, JobStatus.Done, now: T0 + 6);
        }
        else
        {
            Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(blocked.Id, terminal, "by hand", T0 + 5)).Outcome);
        }

        var before = await GetAsync(blocked.Id);

        var result = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "b", WaitResolutionKind.Success, null, null, T0 + 10));

        Assert.Equal(StoreOutcome.JobTerminal, result.Outcome);
        Assert.Equal(terminal, result.Status);
        AssertUnchanged(before, await GetAsync(blocked.Id));
    }

    [Fact]
    public async Task ResolveWait_NotTheLast_LeavesJobBlockingWithTheResolutionVisible()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);

        var result = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "{\"v\":1}", null, T0 + 10));

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(blocked.Id);
        Assert.Equal(JobStatus.Blocking, job.Status);
        var row = ResolutionOf(job, "a");
        Assert.Equal(WaitResolutionKind.Success, row.Kind);
        AssertSameJson("{\"v\":1}", row.OutputJson!);
        Assert.Empty(await ClaimAsync(flow, now: T0 + 20));
        var listed = Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Blocking }));
        Assert.Equal("a", Assert.Single(listed.Resolutions).WaitId);
    }

    [Fact]
    public async Task ResolveWait_TheLast_MakesJobPendingAndClaimableAtOnce()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a", "b"]);
        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, "1", null, T0 + 10));

        var result = await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "b", WaitResolutionKind.Error, "{\"why\":\"x\"}", "refused", T0 + 20));

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        var job = await GetAsync(blocked.Id);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.True(job.RunAtMs <= T0 + 20, "An unblocked job must be due at once.");
        Assert.True(job.Version > blocked.Version, "Unblocking must change the job's version.");
        Assert.Equal(2, job.Resolutions.Count);
        var error = ResolutionOf(job, "b");
        Assert.Equal(WaitResolutionKind.Error, error.Kind);
        Assert.Equal("refused", error.Error);
        var claimed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 20);
        Assert.Equal(2, claimed.Resolutions.Count);
    }

    [Fact]
    public async Task ResolveWait_RecordsWaitResolvedInHistory()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["a"]);

        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "a", WaitResolutionKind.Success, null, null, T0 + 10));

        var last = (await HistoryAsync(blocked.Id))[^1];
        Assert.Equal(JobEventKind.WaitResolved, last.Kind);
        Assert.Equal(At(T0 + 10), last.At);
    }

    [Fact]
    public async Task ResolveWait_ManyWaitsResolvedConcurrently_UnblocksOnce()
    {
        var flow = NewFlow();
        var waits = Enumerable.Range(0, 12).Select(i => "w" + i).ToList();
        var blocked = await BlockAsync(flow, waits);
        var second = await SecondInstanceOrStoreAsync();

        var results = await Task.WhenAll(waits.Select((w, i) => Task.Run(() =>
            (i % 2 == 0 ? Store : second).ResolveWaitAsync(new WaitResolution(blocked.Id, w, WaitResolutionKind.Success, i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, T0 + 10)))));

        Assert.All(results, r => Assert.Equal(StoreOutcome.Ok, r.Outcome));
        var job = await GetAsync(blocked.Id);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(waits.Order(), job.Resolutions.Select(r => r.WaitId).Order());
        Assert.Equal(waits.Count, (await HistoryAsync(blocked.Id)).Count(e => e.Kind == JobEventKind.WaitResolved));
        Assert.Single(await ClaimAsync(flow, now: T0 + 11));
    }

    [Fact]
    public async Task ResolveWait_OneWaitResolvedConcurrently_ExactlyOneSucceeds()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["hook"]);
        var second = await SecondInstanceOrStoreAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : second).ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, T0 + 10)))));

        Assert.Single(results, r => r.Outcome == StoreOutcome.Ok);
        Assert.Equal(9, results.Count(r => r.Outcome == StoreOutcome.WaitAlreadyResolved));
        var job = await GetAsync(blocked.Id);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Single(job.Resolutions);
    }

    [Fact]
    public async Task ResolveWait_RightAfterEachBlock_NeverLosesAResolution()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var now = T0;
        for (var cycle = 0; cycle < 50; cycle++)
        {
            var claimed = await ClaimOneAsync(flow, id, now: ++now);
            var waitId = "hook";
            Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: ++now) with { Waits = [new NewWait(waitId, "external")], ConsumedWaits = cycle > 0 }));
            Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(id, waitId, WaitResolutionKind.Success, cycle.ToString(System.Globalization.CultureInfo.InvariantCulture), null, ++now))).Outcome);
            var job = await GetAsync(id);
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(cycle.ToString(System.Globalization.CultureInfo.InvariantCulture), ResolutionOf(job, waitId).OutputJson);
        }

        var last = await ClaimOneAsync(flow, id, now: ++now);
        Assert.True(await CommitOneAsync(StepOf(last, JobStatus.Done, now: ++now) with { ConsumedWaits = true }));
        Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
    }
}
