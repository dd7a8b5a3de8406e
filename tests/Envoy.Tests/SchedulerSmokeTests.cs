namespace Envoy.Tests;

public class SchedulerSmokeTests
{
    private static StateFlow Chain() => new(
    [
        new State("A") { OnState = async ctx => ctx.Output(ctx.Input<int>() + 1), Router = Router.Next("B") },
        new State("B") { OnState = async ctx => ctx.Output(ctx.Output<int>() * 10), Router = Router.Next("C") },
        new State("C") { OnState = async ctx => ctx.Output(ctx.Output<int>() + 5), Router = Router.End },
    ]);

    [Fact]
    public async Task Chain_RunsToDone()
    {
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = ":memory:" }, Concurrency = 2 });
        scheduler.AddFlow("chain", Chain());
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync("chain", 1);
        var job = await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(10));
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(25, job.Context.Output<int>());
        var history = await scheduler.GetJobHistoryAsync(id);
        Assert.Equal(3, history.Count(e => e.Kind == JobEventKind.StepCompleted));
    }

    [Fact]
    public async Task Spawn_EscalationAndWait_Resume()
    {
        var path = Path.Combine(Path.GetTempPath(), "envoy-smoke-" + Guid.NewGuid().ToString("N") + ".db");
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = path }, Concurrency = 4 });
        scheduler.AddFlow("child", new StateFlow([new State("Only") { OnState = async ctx => ctx.Output(ctx.Input<int>() * 2) }]));
        scheduler.AddFlow("parent", new StateFlow(
        [
            new State("Fan")
            {
                OnState = async ctx => { for (var i = 1; i <= 3; i++) { ctx.Spawn("child", i, "c" + i); } return ctx; },
                OnExit = async ctx => ctx.Output(ctx.Get<int>("$spawn.c1.result") + ctx.Get<int>("$spawn.c2.result") + ctx.Get<int>("$spawn.c3.result")),
            },
            new State("Ask") { OnState = async ctx => { ctx.Escalate("alice", "ok?", [EscalationInput.Approve("ok", "OK"), EscalationInput.Comment("note", "Note")]); return ctx; } },
            new State("Hook") { OnEnter = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook")), OnState = async ctx => ctx.Output(ctx.GetWait("hook")!.Output!.GetValue<int>() + ctx.Output<int>()) },
        ]));
        await scheduler.StartAsync();
        using var stopReading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = scheduler.ReadEventsAsync(stopReading.Token).GetAsyncEnumerator(stopReading.Token);
        var id = await scheduler.ScheduleAsync("parent");
        Escalation? escalation = null;
        while (escalation is null && await events.MoveNextAsync())
        {
            escalation = events.Current is EscalationCreatedEvent created && created.JobId == id ? created.Escalation : null;
        }

        Assert.NotNull(escalation);
        await scheduler.ReplyToEscalationAsync(escalation!.Id, new Dictionary<string, object?> { ["note"] = "fine" }, EscalationDecision.Approved);
        await Assert.ThrowsAsync<EscalationAlreadyAnsweredException>(() => scheduler.ReplyToEscalationAsync(escalation.Id, new Dictionary<string, object?>(), EscalationDecision.Approved));
        // After the reply a step commits the job blocking on the hook: check at each blocking commit of the job's steps.
        var job = await scheduler.GetJobAsync(id);
        while (!(job.Status == JobStatus.Blocking && job.Context.WaitingFor.Contains("hook")))
        {
            Assert.True(await events.MoveNextAsync(), "The job never blocked on the hook.");
            if (events.Current is StepCompletedEvent { Status: JobStatus.Blocking } step && step.JobId == id)
            {
                job = await scheduler.GetJobAsync(id);
            }
        }
        await scheduler.ResolveBlockingJobAsync(id, "hook", 100);
        await Assert.ThrowsAsync<WaitAlreadyResolvedException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", 1));
        await events.DisposeAsync();
        job = await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(10));
        Assert.True(job.Status == JobStatus.Done, job.Error + " " + job.Context.Serialize());
        Assert.Equal(112, job.Context.Output<int>());
        Assert.Equal(3, (await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Count);
    }
}
