using System.Collections.Concurrent;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>The same store, driven through a real <see cref="Scheduler"/>: the runtime's use of the port, end to end.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Scheduler_RunsAChainToDone_CommittingEachStep()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("chain");
        var seen = new ConcurrentBag<string?>();
        scheduler.AddFlow(flow, Chain(runs: null, seen));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow, 1);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(25, job.Context.Output<int>());
        Assert.Equal(id, job.Context.JobId);
        Assert.All(seen, jobId => Assert.Equal(id, jobId));
        Assert.Equal(1, job.Attempts);
        Assert.NotNull(job.FinishedAt);
        var history = await scheduler.GetJobHistoryAsync(id);
        Assert.Equal(["A", "B", "C"], history.Where(e => e.Kind == JobEventKind.StepCompleted).Select(e => e.State));
        Assert.Equal(JobStatus.Done, history.Last(e => e.Kind == JobEventKind.StepCompleted).To);
    }

    [Fact]
    public async Task Scheduler_TwoSchedulersOnOneStore_RunEachStepExactlyOnce()
    {
        var flow = NewFlow("chain");
        var runs = new ConcurrentDictionary<string, int>();
        var first = NewScheduler();
        var second = NewScheduler(await SecondInstanceOrStoreAsync());
        first.AddFlow(flow, Chain(runs));
        second.AddFlow(flow, Chain(runs));
        await first.StartAsync();
        await second.StartAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? first : second).ScheduleAsync(flow, i)));
        var jobs = await Task.WhenAll(ids.Select(id => first.WaitForJobAsync(id, JobTimeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.Equal(Enumerable.Range(0, ids.Length).Select(i => ((i + 1) * 10) + 5), jobs.Select(j => j.Context.Output<int>()));
        Assert.Equal(ids.Length * 3, runs.Count);
        Assert.All(runs, r => Assert.True(r.Value == 1, $"Step {r.Key} ran {r.Value} times."));
    }

    [Fact]
    public async Task Scheduler_TakesOverAJobWhoseWorkerDied()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("chain");
        var runs = new ConcurrentDictionary<string, int>();
        scheduler.AddFlow(flow, Chain(runs));
        var id = await scheduler.ScheduleAsync(flow, 1);
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var dead = Assert.Single(await Store.ClaimAsync(new ClaimRequest("dead-worker", 1, now, now + 300, [flow])));
        await scheduler.StartAsync();

        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(25, job.Context.Output<int>());
        Assert.Equal(2, job.Attempts);
        Assert.Equal(3, runs.Count);
        Assert.False(await CommitOneAsync(StepOf(dead, JobStatus.Failed, owner: "dead-worker", now: now + 1) with { Error = "late" }));
        Assert.Equal(JobStatus.Done, (await scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Scheduler_SpawnedChildren_ResumeTheParentWithTheirResultsAndErrors()
    {
        var scheduler = NewScheduler();
        var (parentFlow, okFlow, badFlow) = (NewFlow("parent"), NewFlow("ok"), NewFlow("bad"));
        scheduler.AddFlow(okFlow, new StateFlow([new State("Double") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 2) }]));
        scheduler.AddFlow(badFlow, new StateFlow([new State("Break") { OnState = ctx => throw new InvalidOperationException("child broke") }]), new FlowOptions { MaxRetries = 0 });
        scheduler.AddFlow(parentFlow, new StateFlow(
        [
            new State("Fan")
            {
                OnState = async ctx =>
                {
                    ctx.Spawn(okFlow, 21, "ok");
                    ctx.Spawn(badFlow, null, "bad");
                    return ctx;
                },
                OnExit = async ctx => ctx.Output(new { result = ctx.Get<int>("$spawn.ok.result"), error = ctx.Get<string>("$spawn.bad.error"), status = ctx.Get<string>("$spawn.bad.status") }),
            },
        ]));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(parentFlow);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(42, job.Context.Output()!["result"]!.GetValue<int>());
        Assert.Contains("child broke", job.Context.Output()!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("error", job.Context.Output()!["status"]!.GetValue<string>());
        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id });
        Assert.Equal(2, children.Count);
        Assert.Contains(children, c => c.Flow == okFlow && c.Status == JobStatus.Done);
        Assert.Contains(children, c => c.Flow == badFlow && c.Status == JobStatus.Failed);
    }

    [Fact]
    public async Task Scheduler_WaitsAndEscalations_ResumeTheJob_AndBadAnswersAreTypedErrors()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("ask");
        var user = "user-" + NewId();
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Hook")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook")),
                OnState = async ctx => ctx.Output(ctx.GetWait("hook")!.Output!.GetValue<int>()),
            },
            new State("Ask")
            {
                OnEnter = async ctx =>
                {
                    ctx.Escalate(user, "More?", [EscalationInput.Comment("extra", "Extra")]);
                    return ctx;
                },
                OnState = async ctx => ctx.Output(ctx.Output<int>() + int.Parse(ctx.Get<string>("$escalation.extra")!, System.Globalization.CultureInfo.InvariantCulture)),
            },
        ]));
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(flow);

        await EventuallyAsync(async () => (await scheduler.GetJobAsync(id)).Context.WaitingFor.Contains("hook"), "the job waits for its hook");
        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.ResolveBlockingJobAsync(NewId(), "hook", 1));
        await Assert.ThrowsAsync<WaitNotFoundException>(() => scheduler.ResolveBlockingJobAsync(id, "nope", 1));
        await scheduler.ResolveBlockingJobAsync(id, "hook", 40);
        await Assert.ThrowsAsync<WaitAlreadyResolvedException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", 1));

        Escalation? escalation = null;
        await EventuallyAsync(async () => (escalation = (await scheduler.ListEscalationsAsync(EscalationStatus.Pending, user)).SingleOrDefault()) is not null, "the job asks its user");
        await Assert.ThrowsAsync<EscalationNotFoundException>(() => scheduler.ReplyToEscalationAsync("w_" + Guid.NewGuid().ToString("N"), new Dictionary<string, object?>(), EscalationDecision.Approved));
        await scheduler.ReplyToEscalationAsync(escalation!.Id, new Dictionary<string, object?> { ["extra"] = "2" }, EscalationDecision.Approved);
        await Assert.ThrowsAsync<EscalationAlreadyAnsweredException>(() => scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?>(), EscalationDecision.Rejected));

        var job = await scheduler.WaitForJobAsync(id, JobTimeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(42, job.Context.Output<int>());
        Assert.Equal(EscalationStatus.Approved, (await scheduler.GetEscalationAsync(escalation.Id)).Status);
        await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", 1));
    }

    [Fact]
    public async Task Scheduler_CancelParent_CancelsItsChildrenRecursively()
    {
        var scheduler = NewScheduler();
        var (parentFlow, childFlow) = (NewFlow("parent"), NewFlow("child"));
        scheduler.AddFlow(childFlow, new StateFlow([new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("never", "external")) }]));
        scheduler.AddFlow(parentFlow, new StateFlow([new State("Spawn") { OnState = async ctx => { ctx.Spawn(childFlow, null, "c"); return ctx; } }]));
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(parentFlow);
        string? childId = null;
        await EventuallyAsync(
            async () =>
            {
                var child = (await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).SingleOrDefault();
                childId = child?.Id;
                return child?.Status == JobStatus.Blocking;
            },
            "the child blocks");

        await scheduler.CancelJobAsync(id);

        Assert.Equal(JobStatus.Cancelled, (await scheduler.WaitForJobAsync(id, JobTimeout)).Status);
        Assert.Equal(JobStatus.Cancelled, (await scheduler.WaitForJobAsync(childId!, JobTimeout)).Status);
        await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.CancelJobAsync(id));
        await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.FailJobAsync(childId!, "late"));
        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.CancelJobAsync(NewId()));
    }

    [Fact]
    public async Task Scheduler_FailingStep_IsRetriedThenFails()
    {
        var scheduler = NewScheduler(configure: c => c.MaxRetries = 2);
        var flow = NewFlow("flaky");
        var attempts = 0;
        scheduler.AddFlow(flow, new StateFlow([new State("Break") { OnState = ctx => { Interlocked.Increment(ref attempts); throw new InvalidOperationException("always broken"); } }]));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Retries);
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Contains("always broken", job.Error, StringComparison.Ordinal);
        var history = await scheduler.GetJobHistoryAsync(id);
        Assert.Equal(3, history.Count(e => e.Kind == JobEventKind.StepFailed));
        Assert.Equal(3, history.Count(e => e.Kind == JobEventKind.Claimed));
    }

    /// <summary>A started-later scheduler over <paramref name="store"/> (default <see cref="Store"/>), disposed after the test.</summary>
    protected Scheduler NewScheduler(IJobStore? store = null, Action<SchedulerOptions>? configure = null)
    {
        var config = new SchedulerOptions
        {
            Concurrency = 4,
            MaxRetries = 2,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            RetryMaxDelay = TimeSpan.FromMilliseconds(50),
            PollInterval = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(config);
        return DisposeAfterTest(new Scheduler(store ?? Store, config, TimeProvider.System, ownsStore: false));
    }

    /// <summary>A → B → C computing ((input + 1) × 10) + 5, counting each (job, step) run.</summary>
    protected static StateFlow Chain(ConcurrentDictionary<string, int>? runs, ConcurrentBag<string?>? jobIds = null)
    {
        Task<StateContext> Count(StateContext ctx, Func<StateContext, StateContext> work)
        {
            runs?.AddOrUpdate(ctx.JobId + ":" + ctx.Step, 1, (_, n) => n + 1);
            jobIds?.Add(ctx.JobId);
            return Task.FromResult(work(ctx));
        }

        return new StateFlow(
        [
            new State("A") { OnState = ctx => Count(ctx, c => c.Output(c.Input<int>() + 1)), Router = Router.Next("B") },
            new State("B") { OnState = ctx => Count(ctx, c => c.Output(c.Output<int>() * 10)), Router = Router.Next("C") },
            new State("C") { OnState = ctx => Count(ctx, c => c.Output(c.Output<int>() + 5)), Router = Router.End },
        ]);
    }
}
