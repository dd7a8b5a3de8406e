using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Durable timers (issue 17): waits with a due time (<see cref="NewWait.DueAtMs"/>), fired by
/// <see cref="IJobCoordinationStore.ResolveDueTimersAsync(long, int, CancellationToken)"/> at explicit times, and end to end through schedulers
/// (<see cref="StateContext.Sleep"/>, <see cref="WaitFor.Timeout"/>, the escalation timeout) in real time.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Timers_Sleep_FiresAtItsDueTime_NotBefore_AndTheJobResumesWithSuccess()
    {
        var flow = NewFlow();
        var blocked = await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 5_000);
        Assert.True(await Store.NextTimerDueAtAsync() <= T0 + 5_000);

        await Store.ResolveDueTimersAsync(T0 + 4_999, 100);
        Assert.Equal(JobStatus.Blocking, (await GetAsync(blocked.Id)).Status);

        await Store.ResolveDueTimersAsync(T0 + 5_000, 100);
        Assert.Equal(JobStatus.Pending, (await GetAsync(blocked.Id)).Status);
        var resumed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 5_001);
        var resolution = ResolutionOf(resumed, "nap");
        Assert.Equal((WaitResolutionKind.Success, null), (resolution.Kind, resolution.Error));
        Assert.Single(await HistoryAsync(blocked.Id), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task Timers_WaitTimeout_ResolvesWithErrorTimeout_WhenNobodyResolvedIt()
    {
        var flow = NewFlow();
        var blocked = await BlockOnTimerAsync(flow, "hook", "webhook", dueAt: T0 + 1_000);

        await Store.ResolveDueTimersAsync(T0 + 1_000, 100);

        var resumed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 1_001);
        var resolution = ResolutionOf(resumed, "hook");
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (resolution.Kind, resolution.Error));
        Assert.Equal(Wait.TimeoutError, Assert.Single(await HistoryAsync(blocked.Id), e => e.Kind == JobEventKind.WaitResolved).Error);
    }

    [Fact]
    public async Task Timers_WaitResolvedBeforeItsTimeout_IsNotTouchedByTheTimer()
    {
        var flow = NewFlow();
        var blocked = await BlockOnTimerAsync(flow, "hook", "webhook", dueAt: T0 + 1_000);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, "42", null, T0 + 500))).Outcome);

        await Store.ResolveDueTimersAsync(T0 + 2_000, 100);

        var resumed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 2_001);
        var resolution = ResolutionOf(resumed, "hook");
        Assert.Equal((WaitResolutionKind.Success, "42", null), (resolution.Kind, resolution.OutputJson, resolution.Error));
        Assert.Single(await HistoryAsync(blocked.Id), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task Timers_EscalationTimeout_ExpiresTheEscalation_AndResolvesItsWaitWithErrorTimeout()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with
        {
            Waits = [new NewWait(escalationId, WaitTypes.Escalation) { DueAtMs = T0 + 60_000 }],
            Escalations = [new NewEscalation(escalationId, "ann-" + NewId(), "Ship it?", JsonSerializer.Serialize(FormInputs, EnvoyJson.Options))],
        }));

        await Store.ResolveDueTimersAsync(T0 + 59_999, 100);
        Assert.Equal(EscalationStatus.Pending, (await Store.GetEscalationAsync(escalationId))!.Status);
        await Store.ResolveDueTimersAsync(T0 + 60_000, 100);

        var escalation = await Store.GetEscalationAsync(escalationId);
        Assert.Equal(EscalationStatus.Expired, escalation!.Status);
        Assert.Null(escalation.RepliedBy);
        var resumed = await ClaimOneAsync(flow, id, now: T0 + 60_001);
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (ResolutionOf(resumed, escalationId).Kind, ResolutionOf(resumed, escalationId).Error));
        var late = await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", "bob", T0 + 60_002));
        Assert.Equal((StoreOutcome.EscalationAlreadyAnswered, EscalationStatus.Expired), (late.Outcome, late.EscalationStatus));
    }

    [Fact]
    public async Task Timers_CancelledJob_TimerNeverFires()
    {
        var flow = NewFlow();
        var blocked = await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 1_000);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(blocked.Id, JobStatus.Cancelled, "cancelled", T0 + 500)).Outcome);
        var history = await HistoryAsync(blocked.Id);

        await Store.ResolveDueTimersAsync(T0 + 2_000, 100);

        Assert.Equal(JobStatus.Cancelled, (await GetAsync(blocked.Id)).Status);
        Assert.Equal(history.Count, (await HistoryAsync(blocked.Id)).Count);
        Assert.DoesNotContain(await HistoryAsync(blocked.Id), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task Timers_TwoStoreInstancesFiringAtOnce_FireEachTimerExactlyOnce()
    {
        var flow = NewFlow();
        var second = await SecondInstanceOrStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await BlockOnTimerAsync(flow, "nap", WaitTypes.Timer, dueAt: T0 + 1_000)).Id);
        }

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? Store : second).ResolveDueTimersAsync(T0 + 1_000, 7)));
        while (await Store.ResolveDueTimersAsync(T0 + 1_000, 100) > 0)
        {
        }

        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Pending, (await GetAsync(id)).Status);
            Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
        }
    }

    [Fact]
    public async Task Scheduler_Sleep_ResumesAfterTheDelay_HoldingNoWorkerMeanwhile()
    {
        // Long enough for the test to see the job sleeping on a loaded machine.
        var napFor = TimeSpan.FromSeconds(3);
        var scheduler = NewScheduler(configure: c => c.Concurrency = 1);
        var flow = NewFlow("nap");
        var other = NewFlow("other");
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Nap")
            {
                OnEnter = async ctx => { ctx.Sleep("nap", napFor); return ctx; },
                OnState = async ctx => ctx.Output(ctx.GetWait("nap")!.Status.ToString()),
            },
        ]));
        scheduler.AddFlow(other, new StateFlow([new State("Only") { OnState = async ctx => ctx.Output("ran") }]));
        await scheduler.StartAsync();
        var watch = Stopwatch.StartNew();

        var id = await scheduler.ScheduleAsync(flow);
        await EventuallyAsync(async () => (await Store.GetJobAsync(id))?.Status == JobStatus.Blocking, "the job sleeps");
        var meanwhile = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync(other), JobTimeout);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, meanwhile.Status); // the one worker slot was free while the job slept
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(nameof(WaitStatus.Success), job.Context.Output<string>());
        Assert.True(watch.Elapsed >= napFor, $"Resumed after {watch.Elapsed}.");
        var resolved = Assert.Single(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
        var slept = Assert.Single(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.StepCompleted && e.To == JobStatus.Blocking);
        Assert.True(resolved.At - slept.At >= napFor, $"Fired {resolved.At - slept.At} after the sleep began.");
    }

    [Fact]
    public async Task Scheduler_WaitForAndEscalationTimeouts_ResolveWithTimeout_EscalationExpires_JobContinues()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("deadlines");
        var user = "ann-" + NewId();
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Hook")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook") { Timeout = TimeSpan.FromMilliseconds(200) }),
                OnState = async ctx => ctx.Set("hook", ctx.GetWait("hook")!.Error),
            },
            new State("Ask")
            {
                OnEnter = async ctx => { ctx.Set("ask", ctx.Escalate(user, "Ship it?", [EscalationInput.Approve("ok", "OK")], TimeSpan.FromMilliseconds(200))); return ctx; },
                OnState = async ctx => ctx.Output(new { hook = ctx.Get<string>("hook"), ask = ctx.GetWait(ctx.Get<string>("ask")!)!.Error, status = ctx.Get<string>("$escalation.status") }),
            },
        ]));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        var output = job.Context.Output<JsonElement>();
        Assert.Equal(("timeout", "timeout", "expired"), (output.GetProperty("hook").GetString(), output.GetProperty("ask").GetString(), output.GetProperty("status").GetString()));
        var escalation = Assert.Single(await scheduler.ListEscalationsAsync(user: user));
        Assert.Equal(EscalationStatus.Expired, escalation.Status);
    }

    [Fact]
    public async Task Scheduler_CancelledSleepingJob_NeverResumes()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("nap");
        var resumed = new ConcurrentBag<string>();
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Nap")
            {
                OnEnter = async ctx => { ctx.Sleep("nap", TimeSpan.FromMilliseconds(ctx.Input<int>())); return ctx; },
                OnState = async ctx => { resumed.Add(ctx.JobId!); return ctx.Output("woke"); },
            },
        ]));
        await scheduler.StartAsync();

        // Long enough to be cancelled before it fires on a loaded machine; the probe below sleeps as long, scheduled after.
        var cancelled = await scheduler.ScheduleAsync(flow, 4000);
        await EventuallyAsync(async () => (await Store.GetJobAsync(cancelled))?.Status == JobStatus.Blocking, "the job sleeps");
        await scheduler.CancelJobAsync(cancelled);
        // A later timer that fires proves the cancelled one's time has passed with the firing loop running.
        var probe = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync(flow, 4000), JobTimeout);

        Assert.Equal(JobStatus.Done, probe.Status);
        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(cancelled)).Status);
        Assert.DoesNotContain(cancelled, resumed);
        Assert.DoesNotContain(await scheduler.GetJobHistoryAsync(cancelled), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task Scheduler_TwoSchedulersOnOneStore_FireEachTimerExactlyOnce()
    {
        var flow = NewFlow("nap");
        var runs = new ConcurrentDictionary<string, int>();
        StateFlow Napping() => new(
        [
            new State("Nap")
            {
                OnEnter = async ctx => { ctx.Sleep("nap", TimeSpan.FromMilliseconds(300)); return ctx; },
                OnState = async ctx => { runs.AddOrUpdate(ctx.JobId!, 1, (_, n) => n + 1); return ctx.Output("woke"); },
            },
        ]);
        var first = NewScheduler();
        var second = NewScheduler(await SecondInstanceOrStoreAsync());
        first.AddFlow(flow, Napping());
        second.AddFlow(flow, Napping());
        await first.StartAsync();
        await second.StartAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? first : second).ScheduleAsync(flow)));
        var jobs = await Task.WhenAll(ids.Select(id => first.WaitForJobAsync(id, JobTimeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        foreach (var id in ids)
        {
            Assert.Equal(1, runs[id]);
            Assert.Single(await first.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
        }
    }

    [Fact]
    public async Task Scheduler_SleepWithZeroDelay_FailsTheJobWithATypedErrorNamingTheWait()
    {
        var scheduler = NewScheduler(configure: c => c.MaxRetries = 0);
        var flow = NewFlow("bad");
        scheduler.AddFlow(flow, new StateFlow([new State("Nap") { OnState = async ctx => { ctx.Sleep("nap", TimeSpan.Zero); return ctx; } }]));
        await scheduler.StartAsync();

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync(flow), JobTimeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("Sleep 'nap': its delay must be more than zero", job.Error, StringComparison.Ordinal);
    }

    /// <summary>Creates a job, claims it and commits it blocking on one wait with a timer due at <paramref name="dueAt"/>.</summary>
    private async Task<JobRecord> BlockOnTimerAsync(string flow, string waitId, string type, long dueAt)
    {
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with { Waits = [new NewWait(waitId, type) { DueAtMs = dueAt }] }));
        return await GetAsync(id);
    }
}
