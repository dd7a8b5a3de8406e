namespace Envoy.Runtime.Tests.Scheduling;

public sealed class CancelAndFailTests : SchedulerTestBase
{
    [Fact]
    public async Task Cancel_PendingJob_IsCancelledAndRaisesJobFinished()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("f");

        await scheduler.CancelJobAsync(id);

        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.Equal("cancelled", job.Error);
        Assert.NotNull(job.FinishedAt);
        Assert.Equal(DoneReason.Cancelled, job.Context.Done);
        var finished = await events.WaitForFinishedAsync(id, Timeout);
        Assert.Equal(JobStatus.Cancelled, finished.Status);
        Assert.Equal(JobEventKind.Cancelled, (await scheduler.GetJobHistoryAsync(id))[^1].Kind);
        await scheduler.StartAsync();
        Assert.Equal(JobStatus.Cancelled, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
    }

    [Fact]
    public async Task Cancel_UnknownJob_ThrowsJobNotFound()
    {
        var scheduler = await NewSchedulerAsync();
        var id = Guid.NewGuid().ToString();

        Assert.Equal(id, (await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.CancelJobAsync(id))).JobId);
        Assert.Equal(id, (await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.FailJobAsync(id, "reason"))).JobId);
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task CancelOrFail_TerminalJob_ThrowsJobAlreadyTerminalAndChangesNothing(JobStatus terminal)
    {
        var scheduler = await NewSchedulerAsync(c => c.MaxRetries = 0);
        scheduler.AddFlow("ok", OneState(async ctx => ctx)).AddFlow("bad", OneState(async ctx => ctx.Fail("nope")));
        string id;
        if (terminal == JobStatus.Cancelled)
        {
            id = await scheduler.ScheduleAsync("ok");
            await scheduler.CancelJobAsync(id);
        }
        else
        {
            await scheduler.StartAsync();
            id = await scheduler.ScheduleAsync(terminal == JobStatus.Done ? "ok" : "bad");
            await scheduler.WaitForJobAsync(id, Timeout);
        }

        var before = await scheduler.GetJobAsync(id);
        Assert.Equal(terminal, before.Status);

        var cancel = await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.CancelJobAsync(id));
        var fail = await Assert.ThrowsAsync<JobAlreadyTerminalException>(() => scheduler.FailJobAsync(id, "late"));

        Assert.Equal((id, terminal), (cancel.JobId, cancel.Status));
        Assert.Equal((id, terminal), (fail.JobId, fail.Status));
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.Error, after.Error);
    }

    [Fact]
    public async Task Cancel_ParentWithChildren_CancelsThemRecursively()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("leaf", WaitsFor("never"));
            s.AddFlow("middle", OneState(async ctx => { ctx.Spawn("leaf", null, "a"); ctx.Spawn("leaf", null, "b"); return ctx; }));
            s.AddFlow("quick", OneState(async ctx => ctx.Output(1)));
            s.AddFlow("top", OneState(async ctx => { ctx.Spawn("middle", null, "m"); ctx.Spawn("quick", null, "q"); return ctx; }));
        });
        using var events = new EventRecorder(scheduler);
        var top = await scheduler.ScheduleAsync("top");
        await events.WaitForBlockingAsync(top, Timeout);
        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = top });
        var middle = children.Single(c => c.Flow == "middle").Id;
        var quick = children.Single(c => c.Flow == "quick").Id;
        await events.WaitForBlockingAsync(middle, Timeout);
        await events.WaitForFinishedAsync(quick, Timeout);
        var leaves = (await scheduler.ListJobsAsync(new JobQuery { ParentId = middle })).Select(l => l.Id).ToList();
        Assert.Equal(2, leaves.Count);
        foreach (var leaf in leaves)
        {
            await events.WaitForBlockingAsync(leaf, Timeout);
        }

        await scheduler.CancelJobAsync(top);

        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(top)).Status);
        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(middle)).Status);
        Assert.All(await Task.WhenAll(leaves.Select(l => scheduler.GetJobAsync(l))), l => Assert.Equal(JobStatus.Cancelled, l.Status));
        Assert.Equal(JobStatus.Done, (await scheduler.GetJobAsync(quick)).Status);
        Assert.Empty(await scheduler.ListBlockingJobsAsync());
    }

    [Fact]
    public async Task Cancel_RunningStep_IsSignalledThroughTheContextToken_AndNothingIsCommitted()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("slow", RunsUntilSignalled(started, signalled)));
        var id = await scheduler.ScheduleAsync("slow");
        await started.Task.WaitAsync(Timeout);

        await scheduler.CancelJobAsync(id);

        await signalled.Task.WaitAsync(Timeout);
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Cancelled, job.Status);
        Assert.DoesNotContain(await scheduler.GetJobHistoryAsync(id), e => e.Kind is JobEventKind.StepCompleted or JobEventKind.StepFailed);
    }

    [Fact]
    public async Task Cancel_Parent_SignalsTheRunningStepOfItsChild()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("slow", RunsUntilSignalled(started, signalled));
            s.AddFlow("parent", OneState(async ctx => { ctx.Spawn("slow", null, "s"); return ctx; }));
        });
        var id = await scheduler.ScheduleAsync("parent");
        await started.Task.WaitAsync(Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Id;

        await scheduler.CancelJobAsync(id);

        await signalled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JobStatus.Cancelled, (await scheduler.WaitForJobAsync(child, Timeout)).Status);
        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Fail_BlockingJob_FailsWithTheReasonWithoutRetry_AndKeepsItsRetries()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(
            s =>
            {
                s.AddFlow("flaky", OneState(async ctx =>
                {
                    if (Interlocked.Increment(ref attempts) <= 2)
                    {
                        throw new InvalidOperationException("flaky");
                    }

                    return ctx.WaitFor(new WaitFor("approval", "human"));
                }));
                s.AddFlow("probe", OneState(async ctx => ctx));
            },
            c => c.MaxRetries = 5);
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("flaky");
        await events.WaitForBlockingAsync(id, Timeout);
        Assert.Equal(2, (await scheduler.GetJobAsync(id)).Retries);

        await scheduler.FailJobAsync(id, "operator gave up");

        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("operator gave up", job.Error);
        Assert.Equal(2, job.Retries);
        Assert.Equal(DoneReason.Error, job.Context.Done);
        Assert.Equal(JobStatus.Failed, (await events.WaitForFinishedAsync(id, Timeout)).Status);

        // Another job runs through the same workers; the failed one is not picked up again.
        await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("probe"), Timeout);
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(JobStatus.Failed, (await scheduler.GetJobAsync(id)).Status);
        Assert.Equal(JobEventKind.Failed, (await scheduler.GetJobHistoryAsync(id))[^1].Kind);
    }

    [Fact]
    public async Task Fail_WithoutAReason_IsRefused()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        var id = await scheduler.ScheduleAsync("f");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => scheduler.FailJobAsync(id, " "));

        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Fail_Child_ResolvesTheParentWaitWithTheReason()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("child", WaitsFor("never"));
            s.AddFlow("parent", new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx => { ctx.Spawn("child", null, "c"); return ctx; },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.c.status") + ":" + ctx.Get<string>("$spawn.c.error")),
                },
            ]));
        });
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("parent");
        await events.WaitForBlockingAsync(id, Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Id;
        await events.WaitForBlockingAsync(child, Timeout);

        await scheduler.FailJobAsync(child, "rejected by ops");

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("error:rejected by ops", job.Context.Output<string>());
    }

    [Fact]
    public async Task RetryJob_FailedJob_RunsAgainFromItsLastCommit()
    {
        var runsOfB = 0;
        var runsOfA = 0;
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("two", new StateFlow(
            [
                new State("A") { OnState = async ctx => { Interlocked.Increment(ref runsOfA); return ctx.Output(20); } },
                new State("B")
                {
                    OnState = async ctx => Interlocked.Increment(ref runsOfB) == 1 ? ctx.Fail("first time") : ctx.Output(ctx.Input<int>() + 1),
                },
            ])),
            c => c.MaxRetries = 0);
        var id = await scheduler.ScheduleAsync("two");
        Assert.Equal(JobStatus.Failed, (await scheduler.WaitForJobAsync(id, Timeout)).Status);

        await scheduler.RetryJobAsync(id);

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(21, job.Context.Output<int>());
        Assert.Equal(1, Volatile.Read(ref runsOfA));
        Assert.Equal(2, Volatile.Read(ref runsOfB));
        Assert.Null(job.Error);
        Assert.Contains(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.Retried);
    }

    [Fact]
    public async Task RetryJob_UnknownOrPending_IsRefused_AndACancelledJobIsPendingAgain()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        var pending = await scheduler.ScheduleAsync("f");

        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.RetryJobAsync(Guid.NewGuid().ToString()));
        var refused = await Assert.ThrowsAsync<JobNotRetryableException>(() => scheduler.RetryJobAsync(pending));
        Assert.Equal((pending, JobStatus.Pending), (refused.JobId, refused.Status));
        await scheduler.CancelJobAsync(pending);
        await scheduler.RetryJobAsync(pending);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(pending)).Status);
        Assert.Equal(JobEventKind.Retried, (await scheduler.GetJobHistoryAsync(pending))[^1].Kind);
    }

    /// <summary>A one-state flow whose step says it started, then waits until its token is signalled and says so.</summary>
    private static StateFlow RunsUntilSignalled(TaskCompletionSource started, TaskCompletionSource signalled) => OneState(async ctx =>
    {
        started.SetResult();
        try
        {
            await Task.Delay(System.Threading.Timeout.Infinite, ctx.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            signalled.SetResult();
            throw;
        }

        return ctx.Output("finished");
    });
}
