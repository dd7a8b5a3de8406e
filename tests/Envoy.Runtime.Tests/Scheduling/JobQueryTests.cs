using Microsoft.Extensions.Time.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

public sealed class JobQueryTests : SchedulerTestBase
{
    [Fact]
    public async Task GetJob_UnknownId_ThrowsJobNotFound()
    {
        var scheduler = await NewSchedulerAsync();
        var id = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.GetJobAsync(id));
        var history = await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.GetJobHistoryAsync(id));

        Assert.Equal(id, error.JobId);
        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.Equal(id, history.JobId);
    }

    [Fact]
    public async Task Job_OfAFinishedRun_CarriesEveryField_AndItsContextKnowsTheJobId()
    {
        var seenIds = new List<string?>();
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A") { OnState = async ctx => { lock (seenIds) { seenIds.Add(ctx.JobId); } return ctx.Output(1); } },
            new State("B") { OnState = async ctx => { lock (seenIds) { seenIds.Add(ctx.JobId); } return ctx.Output(ctx.Output<int>() + 1); } },
        ])));

        var id = await scheduler.ScheduleAsync("two");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal([id, id], seenIds);
        Assert.Equal(id, job.Context.JobId);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(2, job.Context.Output<int>());
        Assert.Equal(DoneReason.Finished, job.Context.Done);
        Assert.Null(job.Error);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(0, job.Retries);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);
        Assert.True(job.CreatedAt <= job.StartedAt);
        Assert.True(job.StartedAt <= job.FinishedAt);
        Assert.Equal(job.FinishedAt, job.UpdatedAt);
        Assert.True(job.Version > 0);
    }

    [Fact]
    public async Task History_RecordsScheduledClaimedAndEachStepInOrder()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(1) },
            new State("B") { OnState = async ctx => ctx.Output(2) },
        ])));

        var id = await scheduler.ScheduleAsync("two");
        await scheduler.WaitForJobAsync(id, Timeout);
        var history = await scheduler.GetJobHistoryAsync(id);

        Assert.Equal([JobEventKind.Scheduled, JobEventKind.Claimed, JobEventKind.StepCompleted, JobEventKind.StepCompleted], history.Select(e => e.Kind));
        Assert.All(history, e => Assert.Equal(id, e.JobId));
        Assert.Equal(history.Select(e => e.At).Order(), history.Select(e => e.At));
        Assert.Equal(("A", 1, JobStatus.Running, JobStatus.Running), (history[2].State, history[2].Step!.Value, history[2].From!.Value, history[2].To!.Value));
        Assert.Equal(("B", 2, JobStatus.Running, JobStatus.Done), (history[3].State, history[3].Step!.Value, history[3].From!.Value, history[3].To!.Value));
        Assert.NotNull(history[3].Duration);
    }

    [Fact]
    public async Task ListJobs_FiltersByStatusFlowParentAndCreationTime_NewestFirst_AndPages()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var scheduler = await NewSchedulerAsync(time: time);
        scheduler.AddFlow("a", OneState(async ctx => ctx)).AddFlow("b", OneState(async ctx => ctx));
        var start = time.GetUtcNow();
        var a = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            a.Add(await scheduler.ScheduleAsync("a", i));
            time.Advance(TimeSpan.FromMinutes(1));
        }

        var b = await scheduler.ScheduleAsync("b");
        var child = await scheduler.ScheduleAsync("b", null, new ScheduleOptions { ParentId = a[0] });
        await scheduler.CancelJobAsync(a[1]);
        await scheduler.FailJobAsync(a[2], "by hand");

        Assert.Equal([child, b, a[4], a[3], a[2], a[1], a[0]], (await scheduler.ListJobsAsync()).Select(j => j.Id));
        Assert.Equal(Enumerable.Reverse(a), (await scheduler.ListJobsAsync(new JobQuery { Flow = "a" })).Select(j => j.Id));
        Assert.Equal([child, a[4], a[3], a[0]], (await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Pending, Flow = null })).Where(j => j.Id != b).Select(j => j.Id));
        Assert.Equal(a[1], Assert.Single(await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Cancelled })).Id);
        Assert.Equal(a[2], Assert.Single(await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Failed })).Id);
        Assert.Equal(child, Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = a[0] })).Id);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { ParentId = a[1] }));
        Assert.Equal([a[3], a[2], a[1]], (await scheduler.ListJobsAsync(new JobQuery { CreatedAfter = start.AddMinutes(1), CreatedBefore = start.AddMinutes(4) })).Select(j => j.Id));
        Assert.Equal([b, a[4]], (await scheduler.ListJobsAsync(new JobQuery { Flow = null, CreatedAfter = start.AddMinutes(4), Status = JobStatus.Pending, ParentId = null })).Where(j => j.Id != child).Select(j => j.Id));
        Assert.Equal([a[3], a[2]], (await scheduler.ListJobsAsync(new JobQuery { Flow = "a", Offset = 1, Limit = 2 })).Select(j => j.Id));
        Assert.Equal([a[0]], (await scheduler.ListJobsAsync(new JobQuery { Flow = "a", Offset = 4, Limit = 2 })).Select(j => j.Id));
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = "a", Offset = 5 }));
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = "nope" }));
    }

    [Fact]
    public async Task ListJobs_DefaultsTo100_AndRefusesBadPaging()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        for (var i = 0; i < 105; i++)
        {
            await scheduler.ScheduleAsync("f", i);
        }

        Assert.Equal(100, (await scheduler.ListJobsAsync()).Count);
        Assert.Equal(105, (await scheduler.ListJobsAsync(new JobQuery { Limit = 200 })).Count);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ListJobsAsync(new JobQuery { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ListJobsAsync(new JobQuery { Limit = 10_001 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ListJobsAsync(new JobQuery { Offset = -1 }));
    }

    [Fact]
    public async Task ListBlockingJobs_ShowsWhatEachJobWaitsFor()
    {
        var scheduler = await StartSchedulerAsync(s =>
        {
            s.AddFlow("hooks", new StateFlow([new State("Two") { OnState = async ctx => ctx.WaitFor(new WaitFor("a", "webhook"), new WaitFor("b", "webhook")) }]));
            s.AddFlow("child", OneState(async ctx => ctx.WaitFor(new WaitFor("forever", "external"))));
            s.AddFlow("spawner", OneState(async ctx => { ctx.Spawn("child", null, "kid"); return ctx; }));
            s.AddFlow("quick", OneState(async ctx => ctx));
        });
        using var events = new EventRecorder(scheduler);
        var hooks = await scheduler.ScheduleAsync("hooks");
        var spawner = await scheduler.ScheduleAsync("spawner");
        var quick = await scheduler.ScheduleAsync("quick");
        await events.WaitForBlockingAsync(hooks, Timeout);
        await events.WaitForBlockingAsync(spawner, Timeout);
        await events.WaitForFinishedAsync(quick, Timeout);
        var child = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = spawner })).Id;
        await events.WaitForBlockingAsync(child, Timeout);

        var blocking = await scheduler.ListBlockingJobsAsync();

        Assert.Equal(new[] { hooks, spawner, child }.Order(), blocking.Select(j => j.Id).Order());
        Assert.All(blocking, j => Assert.Equal(JobStatus.Blocking, j.Status));
        Assert.Equal(["a", "b"], blocking.Single(j => j.Id == hooks).Context.WaitingFor);
        var spawnWait = Assert.Single(blocking.Single(j => j.Id == spawner).Context.Waits);
        Assert.Equal(WaitTypes.Spawn, spawnWait.Type);
        Assert.Equal([spawnWait.Id], blocking.Single(j => j.Id == spawner).Context.WaitingFor);
        Assert.Equal(["forever"], blocking.Single(j => j.Id == child).Context.WaitingFor);

        await scheduler.ResolveBlockingJobAsync(hooks, "a", 1);

        var stillBlocking = (await scheduler.ListBlockingJobsAsync()).Single(j => j.Id == hooks);
        Assert.Equal(["b"], stillBlocking.Context.WaitingFor);
        Assert.Equal(1, stillBlocking.Context.GetWait("a")!.Output!.GetValue<int>());

        await scheduler.ResolveBlockingJobAsync(hooks, "b", 2);
        await scheduler.WaitForJobAsync(hooks, Timeout);
        Assert.DoesNotContain(await scheduler.ListBlockingJobsAsync(), j => j.Id == hooks);
    }
}
