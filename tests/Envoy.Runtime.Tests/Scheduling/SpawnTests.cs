namespace Envoy.Runtime.Tests.Scheduling;

public sealed class SpawnTests : SchedulerTestBase
{
    [Fact]
    public async Task Spawn_ChildrenAreCreatedOnlyWhenTheStepCommits()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spawned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("child", OneState(async ctx => ctx.Output(ctx.Input<int>() + 1)));
            s.AddFlow("parent", OneState(async ctx =>
            {
                ctx.Spawn("child", 1, "one");
                spawned.SetResult();
                #pragma warning disable VSTHRD003 // The test owns this gate.
                await gate.Task;
                #pragma warning restore VSTHRD003
                return ctx;
            }));
        });
        var id = await scheduler.ScheduleAsync("parent");
        await spawned.Task.WaitAsync(Timeout);

        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Single(await scheduler.ListJobsAsync());

        gate.SetResult();
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Equal(JobStatus.Done, child.Status);
        Assert.Equal("child", child.Flow);
    }

    [Fact]
    public async Task Spawn_InAStepThatThenThrows_CreatesNoChild_EvenAcrossRetries()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(
            s =>
            {
                s.AddFlow("child", OneState(async ctx => ctx));
                s.AddFlow("parent", OneState(async ctx =>
                {
                    Interlocked.Increment(ref attempts);
                    ctx.Spawn("child", null, "a");
                    ctx.Spawn("child", null, "b");
                    throw new InvalidOperationException("broke after spawning");
                }));
            },
            c => c.MaxRetries = 2);

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Contains("broke after spawning", job.Error, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Single(await scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task Spawn_ManyChildren_ParentResumesWhenAllHaveResolved()
    {
        const int Children = 30;
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("square", OneState(async ctx => ctx.Output(ctx.Input<int>() * ctx.Input<int>())));
        });
        scheduler.AddFlow("fan", new StateFlow(
        [
            new State("Fan")
            {
                OnState = async ctx =>
                {
                    for (var i = 1; i <= Children; i++)
                    {
                        ctx.Spawn("square", i, "n" + i);
                    }

                    return ctx;
                },
                OnExit = async ctx => ctx.Output(Enumerable.Range(1, Children).Sum(i => ctx.Get<int>($"$spawn.n{i}.result"))),
            },
        ]));

        var id = await scheduler.ScheduleAsync("fan");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(Enumerable.Range(1, Children).Sum(i => i * i), job.Context.Output<int>());
        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id });
        Assert.Equal(Children, children.Count);
        Assert.All(children, c => Assert.Equal(JobStatus.Done, c.Status));
        Assert.All(children, c => Assert.True(c.FinishedAt <= job.FinishedAt));
    }

    [Fact]
    public async Task Spawn_FailedChild_ResolvesTheParentWaitWithTheChildErrorAsAString()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("bad", OneState(ctx => throw new InvalidOperationException("no stock left")), new FlowOptions { MaxRetries = 0 });
            s.AddFlow("parent", new StateFlow(
            [
                new State("Order")
                {
                    OnState = async ctx => { ctx.Spawn("bad", null, "reserve"); return ctx; },
                    OnExit = async ctx => ctx.Output(new
                    {
                        status = ctx.Get<string>("$spawn.reserve.status"),
                        error = ctx.Get<string>("$spawn.reserve.error"),
                        wait = ctx.Waits.Single().Status.ToString(),
                    }),
                },
            ]));
        });

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.True(job.Status == JobStatus.Done, job.Error);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Equal(JobStatus.Failed, child.Status);
        Assert.Equal("error", job.Context.Output()!["status"]!.GetValue<string>());
        Assert.Equal(child.Error, job.Context.Output()!["error"]!.GetValue<string>());
        Assert.Contains("no stock left", job.Context.Output()!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(nameof(WaitStatus.Error), job.Context.Output()!["wait"]!.GetValue<string>());
    }

    [Fact]
    public async Task Spawn_ParentThatUsesAFailedChildResult_FailsOnlyThroughItsOwnCode()
    {
        var scheduler = await StartSchedulerAsync(
            s =>
            {
                s.AddFlow("bad", OneState(async ctx => ctx.Fail("child said no")), new FlowOptions { MaxRetries = 0 });
                s.AddFlow("parent", new StateFlow(
                [
                    new State("Use")
                    {
                        OnState = async ctx => { ctx.Spawn("bad", null, "c"); return ctx; },
                        OnExit = async ctx => ctx.Output(ctx.GetWait(ctx.Waits.Single().Id)!.Output!.GetValue<int>()),
                    },
                ]));
            },
            c => c.MaxRetries = 0);

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.DoesNotContain("child said no", job.Error, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Failed, Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Status);
    }

    [Fact]
    public async Task Spawn_CancelledChild_ResolvesTheParentWaitAsCancelled_AndTheParentGoesOn()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("child", WaitsFor("never"));
            s.AddFlow("parent", new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx => { ctx.Spawn("child", null, "c"); return ctx; },
                    OnExit = async ctx => ctx.Output(new { status = ctx.Get<string>("$spawn.c.status"), error = ctx.Get<string>("$spawn.c.error") }),
                },
            ]));
        });
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("parent");
        await events.WaitForBlockingAsync(id, Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        await events.WaitForBlockingAsync(child.Id, Timeout);

        await scheduler.CancelJobAsync(child.Id);

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("cancelled", job.Context.Output()!["status"]!.GetValue<string>());
        Assert.Equal("cancelled", job.Context.Output()!["error"]!.GetValue<string>());
        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(child.Id)).Status);
    }

    [Fact]
    public async Task Spawn_FailingOrCancelledDescendants_NeverLeaveAnAncestorStuck()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("leaf-fails", OneState(ctx => throw new InvalidOperationException("leaf broke")), new FlowOptions { MaxRetries = 1 });
            s.AddFlow("leaf-waits", WaitsFor("never"));
            s.AddFlow("middle", new StateFlow(
            [
                new State("Two")
                {
                    OnState = async ctx => { ctx.Spawn("leaf-fails", null, "f"); ctx.Spawn("leaf-waits", null, "w"); return ctx; },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.f.status") + "/" + ctx.Get<string>("$spawn.w.status")),
                },
            ]));
            s.AddFlow("top", new StateFlow(
            [
                new State("One")
                {
                    OnState = async ctx => { ctx.Spawn("middle", null, "m"); return ctx; },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.m.result")),
                },
            ]));
        });
        using var events = new EventRecorder(scheduler);
        var top = await scheduler.ScheduleAsync("top");
        await events.WaitForBlockingAsync(top, Timeout);
        var middle = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = top })).Id;
        await events.WaitForBlockingAsync(middle, Timeout);
        var leaves = await scheduler.ListJobsAsync(new JobQuery { ParentId = middle });
        var waiting = leaves.Single(l => l.Flow == "leaf-waits").Id;
        var failing = leaves.Single(l => l.Flow == "leaf-fails").Id;
        await events.WaitForBlockingAsync(waiting, Timeout);
        Assert.Equal(JobStatus.Failed, (await scheduler.WaitForJobAsync(failing, Timeout)).Status);

        await scheduler.CancelJobAsync(waiting);

        var job = await scheduler.WaitForJobAsync(top, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("error/cancelled", job.Context.Output<string>());
        Assert.Equal(JobStatus.Done, (await scheduler.GetJobAsync(middle)).Status);
        Assert.Empty(await scheduler.ListBlockingJobsAsync());
    }

    [Fact]
    public async Task Spawn_UnknownChildFlow_FailsTheParentWithAClearErrorAndCreatesNothing()
    {
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("parent", OneState(async ctx => { ctx.Spawn("missing-flow", null, "x"); return ctx; })),
            c => c.MaxRetries = 0);

        var id = await scheduler.ScheduleAsync("parent");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("missing-flow", job.Error, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
    }

    [Fact]
    public async Task Spawn_ChildInheritsThePriorityAndKnowsItsParent()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("child", OneState(async ctx => ctx.Output(ctx.JobId)));
            s.AddFlow("parent", new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx => { ctx.Spawn("child", null, "c"); return ctx; },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.c.result")),
                },
            ]));
        });

        var id = await scheduler.ScheduleAsync("parent", null, new ScheduleOptions { Priority = 7 });
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id }));
        Assert.Equal(id, child.ParentId);
        Assert.Equal(7, child.Priority);
        Assert.Equal(child.Id, job.Context.Output<string>());
    }
}
