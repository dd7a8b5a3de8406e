namespace Envoy.Runtime.Tests.Scheduling;

public sealed class WaitTests : SchedulerTestBase
{
    [Fact]
    public async Task Resolve_TheLastWait_ResumesTheJobWithTheValue()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("payment")));
        var id = await scheduler.ScheduleAsync("hook");
        var blocked = await WaitForBlockingAsync(scheduler, id, "payment");
        Assert.Equal(["payment"], blocked.Context.WaitingFor);

        await scheduler.ResolveBlockingJobAsync(id, "payment", new { amount = 12.5, currency = "EUR" });

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(12.5, job.Context.Output()!["amount"]!.GetValue<double>());
        Assert.Equal("EUR", job.Context.Output()!["currency"]!.GetValue<string>());
        Assert.Contains(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task Resolve_OneOfTwoWaits_LeavesTheJobBlockingUntilTheLast()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("Both")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("a", "webhook"), new WaitFor("b", "webhook")),
                OnState = async ctx => ctx.Output(ctx.GetWait("a")!.Output!.GetValue<int>() + ctx.GetWait("b")!.Output!.GetValue<int>()),
            },
        ])));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("two");
        await events.WaitForBlockingAsync(id, Timeout);

        await scheduler.ResolveBlockingJobAsync(id, "b", 30);

        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Blocking, job.Status);
        Assert.Equal(["a"], job.Context.WaitingFor);
        Assert.Single(events.For(id), e => e is StepStartedEvent);

        await scheduler.ResolveBlockingJobAsync(id, "a", 12);

        Assert.Equal(42, (await scheduler.WaitForJobAsync(id, Timeout)).Context.Output<int>());
    }

    [Fact]
    public async Task Resolve_UnknownJob_ThrowsJobNotFound()
    {
        var scheduler = await NewSchedulerAsync();
        var id = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", 1));

        Assert.Equal(id, error.JobId);
    }

    [Fact]
    public async Task Resolve_UnknownWait_ThrowsWaitNotFoundAndChangesNothing()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("payment")));
        var id = await scheduler.ScheduleAsync("hook");
        var before = await WaitForBlockingAsync(scheduler, id, "payment");
        var history = await scheduler.GetJobHistoryAsync(id);

        var error = await Assert.ThrowsAsync<WaitNotFoundException>(() => scheduler.ResolveBlockingJobAsync(id, "refund", 1));

        Assert.Equal(id, error.JobId);
        Assert.Equal("refund", error.WaitId);
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Blocking, after.Status);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        Assert.Equal(["payment"], after.Context.WaitingFor);
        Assert.Equal(history.Count, (await scheduler.GetJobHistoryAsync(id)).Count);
    }

    [Fact]
    public async Task Resolve_AChildsWait_IsWaitTypeMismatch_AndTheChildsEndStillResolvesIt()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("child", WaitsFor("go")).AddFlow("parent", OneState(async ctx =>
        {
            var waitId = ctx.Spawn("child", null, "c");
            return ctx.Set("waitId", waitId);
        })));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("parent");
        await events.WaitForBlockingAsync(id, Timeout);
        var before = await scheduler.GetJobAsync(id);
        var waitId = Assert.Single(before.Context.WaitingFor);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Id;

        var error = await Assert.ThrowsAsync<WaitTypeMismatchException>(() => scheduler.ResolveBlockingJobAsync(id, waitId, "forged"));

        Assert.Equal((id, waitId, WaitTypes.Spawn), (error.JobId, error.WaitId, error.WaitType));
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal((JobStatus.Blocking, before.Version), (after.Status, after.Version));
        await events.WaitForBlockingAsync(child, Timeout);
        await scheduler.ResolveBlockingJobAsync(child, "go", "real");
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("real", job.Context.Get<string>("$spawn.c.result"));
    }

    [Fact]
    public async Task Resolve_AJobWithoutWaits_ThrowsWaitNotFound()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        var id = await scheduler.ScheduleAsync("f");

        await Assert.ThrowsAsync<WaitNotFoundException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", 1));

        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Resolve_Twice_ThrowsWaitAlreadyResolvedAndKeepsTheFirstValue()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("Both")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("a", "webhook"), new WaitFor("b", "webhook")),
                OnState = async ctx => ctx.Output(ctx.GetWait("a")!.Output!.GetValue<string>()),
            },
        ])));
        var id = await scheduler.ScheduleAsync("two");
        await WaitForBlockingAsync(scheduler, id, "a");
        await scheduler.ResolveBlockingJobAsync(id, "a", "first");
        var before = await scheduler.GetJobAsync(id);

        var error = await Assert.ThrowsAsync<WaitAlreadyResolvedException>(() => scheduler.ResolveBlockingJobAsync(id, "a", "second"));

        Assert.Equal(id, error.JobId);
        Assert.Equal("a", error.WaitId);
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal("first", after.Context.GetWait("a")!.Output!.GetValue<string>());
        await scheduler.ResolveBlockingJobAsync(id, "b", null);
        Assert.Equal("first", (await scheduler.WaitForJobAsync(id, Timeout)).Context.Output<string>());
        await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.ResolveBlockingJobAsync(id, "a", "third"));
    }

    [Fact]
    public async Task Resolve_TerminalJob_ThrowsJobAlreadyTerminalAndChangesNothing()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("payment")));
        var id = await scheduler.ScheduleAsync("hook");
        await WaitForBlockingAsync(scheduler, id, "payment");
        await scheduler.CancelJobAsync(id);
        var before = await scheduler.GetJobAsync(id);

        var error = await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.ResolveBlockingJobAsync(id, "payment", 1));

        Assert.Equal(id, error.JobId);
        Assert.Equal(JobStatus.Cancelled, error.Status);
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Cancelled, after.Status);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task Resolve_AStateThatWaitsForTheSameIdEachTime_ResumesEveryTime()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("loop", new StateFlow(
        [
            new State("Collect")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("next", "webhook")),
                OnState = async ctx => ctx.Set("sum", ctx.Get<int>("sum") + ctx.GetWait("next")!.Output!.GetValue<int>()),
                Router = Router.Routes(
                    new Dictionary<string, Route> { ["Collect"] = new Route(), ["Finish"] = new Route() },
                    async ctx => ctx.Get<int>("sum") >= 10 ? "Finish" : "Collect"),
            },
            new State("Finish") { OnState = async ctx => ctx.Output(ctx.Get<int>("sum")) },
        ])));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("loop");

        for (var i = 1; i <= 4; i++)
        {
            await events.WaitForBlockingAsync(id, Timeout, occurrence: i);
            await scheduler.ResolveBlockingJobAsync(id, "next", i);
        }

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(10, job.Context.Output<int>());
    }
}
