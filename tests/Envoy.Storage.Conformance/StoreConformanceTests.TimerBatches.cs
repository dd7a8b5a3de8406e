using System.Text.Json;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Timer batches (issue 17, firing under a burst): one <see cref="IJobCoordinationStore.ResolveDueTimersAsync(long, int, CancellationToken)"/> call fires a
/// whole batch of due timers of every kind, each by the rule of one timer (PostgreSQL does it set-based, in a few statements
/// whatever the batch's size).
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task TimerBatch_OneCall_FiresAMixedBatch_EachByItsRule_AndLeavesTheRest()
    {
        // A flow each where the test claims the job back (a claim takes the flow's first due job).
        var flow = NewFlow();
        var (sleepFlow, hookFlow, answeredFlow) = (NewFlow(), NewFlow(), NewFlow());
        var sleep = await BlockOnTimerAsync(sleepFlow, "nap", WaitTypes.Timer, dueAt: T0 + 1_000);
        var hook = await BlockOnTimerAsync(hookFlow, "hook", "webhook", dueAt: T0 + 1_000);
        var cancelled = await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 1_000);
        var answered = await BlockOnTimerAsync(answeredFlow, "hook", "webhook", dueAt: T0 + 1_000);
        var later = await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 1_001);
        var ask = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, ask);
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with
        {
            Waits = [new NewWait(escalationId, WaitTypes.Escalation) { DueAtMs = T0 + 1_000 }],
            Escalations = [new NewEscalation(escalationId, "ann-" + NewId(), "Ship it?", JsonSerializer.Serialize(FormInputs, EnvoyJson.Options))],
        }));
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(cancelled.Id, JobStatus.Cancelled, "cancelled", T0 + 500)).Outcome);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(answered.Id, "hook", WaitResolutionKind.Success, "42", null, T0 + 500))).Outcome);

        await Store.ResolveDueTimersAsync(T0 + 1_000, 100);

        Assert.Equal(JobStatus.Pending, (await GetAsync(sleep.Id)).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(hook.Id)).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(ask)).Status);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(cancelled.Id)).Status);
        Assert.Equal(JobStatus.Blocking, (await GetAsync(later.Id)).Status);
        Assert.DoesNotContain(await HistoryAsync(cancelled.Id), e => e.Kind == JobEventKind.WaitResolved);
        Assert.Single(await HistoryAsync(answered.Id), e => e.Kind == JobEventKind.WaitResolved);
        Assert.Equal(EscalationStatus.Expired, (await Store.GetEscalationAsync(escalationId))!.Status);
        var askHistory = (await HistoryAsync(ask)).Where(e => e.Kind is JobEventKind.EscalationAnswered or JobEventKind.WaitResolved).ToList();
        Assert.Equal([(JobEventKind.EscalationAnswered, Wait.TimeoutError), (JobEventKind.WaitResolved, Wait.TimeoutError)], askHistory.Select(e => (e.Kind, e.Error)));
        Assert.Equal((WaitResolutionKind.Success, null), Kind(ResolutionOf(await ClaimOneAsync(sleepFlow, sleep.Id, now: T0 + 1_001), "nap")));
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), Kind(ResolutionOf(await ClaimOneAsync(hookFlow, hook.Id, now: T0 + 1_001), "hook")));
        var answeredResumed = await ClaimOneAsync(answeredFlow, answered.Id, now: T0 + 1_001);
        Assert.Equal("42", ResolutionOf(answeredResumed, "hook").OutputJson);

        await Store.ResolveDueTimersAsync(T0 + 1_001, 100);
        Assert.Equal(JobStatus.Pending, (await GetAsync(later.Id)).Status);

        static (WaitResolutionKind, string?) Kind(WaitRow resolution) => (resolution.Kind, resolution.Error);
    }

    [Fact]
    public async Task TimerBatch_TwoTimedWaitsOfOneJobDueTogether_BothResolve_AnUntimedWaitKeepsItsJobBlocked()
    {
        var flow = NewFlow();
        var both = await CreateAsync(flow);
        Assert.True(await CommitOneAsync(StepOf(await ClaimOneAsync(flow, both), JobStatus.Blocking, now: T0 + 1) with
        {
            Waits = [new NewWait("nap", WaitTypes.Timer) { DueAtMs = T0 + 1_000 }, new NewWait("hook", "webhook") { DueAtMs = T0 + 1_000 }],
        }));
        var partly = await CreateAsync(flow);
        Assert.True(await CommitOneAsync(StepOf(await ClaimOneAsync(flow, partly), JobStatus.Blocking, now: T0 + 1) with
        {
            Waits = [new NewWait("nap", WaitTypes.Timer) { DueAtMs = T0 + 1_000 }, new NewWait("hook", "webhook")],
        }));

        Assert.Equal(3, await Store.ResolveDueTimersAsync(T0 + 1_000, 100));

        Assert.Equal(JobStatus.Pending, (await GetAsync(both)).Status);
        Assert.Equal(2, (await HistoryAsync(both)).Count(e => e.Kind == JobEventKind.WaitResolved));
        Assert.Equal(JobStatus.Blocking, (await GetAsync(partly)).Status);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(partly, "hook", WaitResolutionKind.Success, null, null, T0 + 1_500))).Outcome);
        Assert.Equal(JobStatus.Pending, (await GetAsync(partly)).Status);
        var resumed = await ClaimOneAsync(flow, both, now: T0 + 1_001);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(resumed, "nap").Kind);
        Assert.Equal(Wait.TimeoutError, ResolutionOf(resumed, "hook").Error);
    }

    [Fact]
    public async Task TimerBatch_MoreDueThanTheLimit_FiresTheEarliestUpToTheLimit_ThenTheRestNextCall()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 1_000 + i)).Id);
        }

        Assert.Equal(5, await Store.ResolveDueTimersAsync(T0 + 2_000, 5));
        var statuses = new List<JobStatus>();
        foreach (var id in ids)
        {
            statuses.Add((await GetAsync(id)).Status);
        }

        Assert.Equal([.. Enumerable.Repeat(JobStatus.Pending, 5), .. Enumerable.Repeat(JobStatus.Blocking, 7)], statuses);
        Assert.Equal(5, await Store.ResolveDueTimersAsync(T0 + 2_000, 5));
        Assert.Equal(2, await Store.ResolveDueTimersAsync(T0 + 2_000, 5));
        Assert.Equal(0, await Store.ResolveDueTimersAsync(T0 + 2_000, 5));
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);
            Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
        }
    }
}
