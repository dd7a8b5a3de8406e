namespace Envoy.Runtime.Tests.Scheduling;

/// <summary><see cref="Scheduler.RetryJobAsync"/>: failed and cancelled jobs run again, their waits set up again.</summary>
public sealed class RetryJobTests : SchedulerTestBase
{
    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task Retry_JobEndedByHandWhileBlocking_BlocksAgainOnItsWait_AndFinishesWithoutBurningRetries(JobStatus ended)
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("hook")), c => c.MaxRetries = 2);
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("hook");
        await events.WaitForBlockingAsync(id, Timeout);
        await EndAsync(scheduler, id, ended);

        await scheduler.RetryJobAsync(id);

        var blocked = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Blocking, blocked.Status);
        Assert.Equal(["hook"], blocked.Context.WaitingFor);
        Assert.Null(blocked.Error);
        await scheduler.ResolveBlockingJobAsync(id, "hook", 42);
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(42, job.Context.Output<int>());
        Assert.Equal(0, job.Retries);
        Assert.DoesNotContain(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.StepFailed);
    }

    [Theory]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task Retry_ParentEndedByHand_RetriesItsCancelledChild_AndTheParentGetsTheChildsResult(JobStatus ended)
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("child", WaitsFor("go"));
            s.AddFlow("parent", new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx => { ctx.Spawn("child", null, "c"); return ctx; },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.c.status") + ":" + ctx.Get<int>("$spawn.c.result")),
                },
            ]));
        });
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("parent");
        await events.WaitForBlockingAsync(id, Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Id;
        await events.WaitForBlockingAsync(child, Timeout);
        await EndAsync(scheduler, id, ended);
        Assert.Equal(JobStatus.Cancelled, (await scheduler.GetJobAsync(child)).Status);

        await scheduler.RetryJobAsync(id);

        Assert.Equal(JobStatus.Blocking, (await scheduler.GetJobAsync(id)).Status);
        Assert.Equal(JobStatus.Blocking, (await scheduler.GetJobAsync(child)).Status);
        Assert.Equal(child, Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = id })).Id);
        await scheduler.ResolveBlockingJobAsync(child, "go", 5);
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("success:5", job.Context.Output<string>());
        Assert.Equal(JobStatus.Done, (await scheduler.GetJobAsync(child)).Status);
    }

    [Fact]
    public async Task Retry_CancelledJobWithAnEscalation_MakesItPendingAgain_AndAReplyFinishesTheJob()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("ask", new StateFlow(
        [
            new State("Ask")
            {
                OnEnter = async ctx => { ctx.Escalate("ann", "Ship?", [EscalationInput.Comment("note", "Note")]); return ctx; },
                OnState = async ctx => ctx.Output(ctx.Get<string>("$escalation.note")),
            },
        ])));
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("ask");
        var escalationId = ((EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == id, Timeout)).Escalation.Id;
        await events.WaitForBlockingAsync(id, Timeout);
        await scheduler.CancelJobAsync(id);
        Assert.Equal(EscalationStatus.Cancelled, (await scheduler.GetEscalationAsync(escalationId)).Status);

        await scheduler.RetryJobAsync(id);

        Assert.Equal(EscalationStatus.Pending, (await scheduler.GetEscalationAsync(escalationId)).Status);
        Assert.Contains(await scheduler.ListEscalationsAsync(EscalationStatus.Pending, "ann"), e => e.Id == escalationId);
        await scheduler.ReplyToEscalationAsync(escalationId, new Dictionary<string, object?> { ["note"] = "now" }, EscalationDecision.Approved);
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal("now", job.Context.Output<string>());
    }

    [Fact]
    public async Task Retry_JobFailedAfterItsRetries_RunsAgainWithAFreshBudget()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("flaky", OneState(async ctx => Interlocked.Increment(ref attempts) <= 2 ? throw new TimeoutException("slow") : ctx.Output("ok"))),
            c => c.MaxRetries = 1);
        var id = await scheduler.ScheduleAsync("flaky");
        var failed = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal((JobStatus.Failed, 1), (failed.Status, failed.Retries));

        await scheduler.RetryJobAsync(id);

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        Assert.Equal(0, job.Retries);
        Assert.Equal(3, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Retry_JobFailedAtMaxSteps_IsRefusedSayingSo_AndNothingChanges()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("loop", new StateFlow(
            [new State("Again") { OnState = async ctx => ctx, Router = Router.Next("Again") }],
            new StateFlowOptions { MaxSteps = 4 })));
        var id = await scheduler.ScheduleAsync("loop");
        var before = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Failed, before.Status);

        var error = await Assert.ThrowsAsync<JobNotRetryableException>(() => scheduler.RetryJobAsync(id));

        Assert.Equal(id, error.JobId);
        Assert.Equal(JobStatus.Failed, error.Status);
        Assert.Equal(4, error.MaxSteps);
        Assert.Contains("MaxSteps (4)", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be retried", error.Message, StringComparison.Ordinal);
        var after = await scheduler.GetJobAsync(id);
        Assert.Equal((before.Status, before.Version, before.Error), (after.Status, after.Version, after.Error));
        Assert.DoesNotContain(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.Retried);
    }

    [Fact]
    public async Task Retry_JobNotFailedOrCancelled_IsJobNotRetryable_AndNothingChanges()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("hook")).AddFlow("done", OneState(async ctx => ctx)));
        using var events = new EventRecorder(scheduler);
        var blocking = await scheduler.ScheduleAsync("hook");
        await events.WaitForBlockingAsync(blocking, Timeout);
        var done = await scheduler.ScheduleAsync("done");
        await scheduler.WaitForJobAsync(done, Timeout);

        foreach (var (id, status) in new[] { (blocking, JobStatus.Blocking), (done, JobStatus.Done) })
        {
            var before = await scheduler.GetJobAsync(id);

            var error = await Assert.ThrowsAsync<JobNotRetryableException>(() => scheduler.RetryJobAsync(id));

            Assert.Equal((id, status, (int?)null), (error.JobId, error.Status, error.MaxSteps));
            Assert.Contains(status.ToString().ToLowerInvariant(), error.Message, StringComparison.Ordinal);
            Assert.Equal((before.Status, before.Version), ((await scheduler.GetJobAsync(id)).Status, (await scheduler.GetJobAsync(id)).Version));
        }

        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.RetryJobAsync(Guid.NewGuid().ToString()));
    }

    private static Task EndAsync(Scheduler scheduler, string id, JobStatus ended) =>
        ended == JobStatus.Cancelled ? scheduler.CancelJobAsync(id) : scheduler.FailJobAsync(id, "operator gave up");
}
