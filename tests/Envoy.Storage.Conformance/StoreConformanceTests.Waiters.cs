using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// What a scheduler's waiters need from the store: many jobs in one read (<see cref="IJobQueryStore.GetJobsAsync"/>), so waiting for
/// many jobs costs one read per signal, not a read (and a connection) per waiter.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task GetJobs_ReturnsTheKnownJobsAmongTheIds_EachAsGetJobDoes()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["hook", "other"]);
        var pending = await CreateAsync(flow);
        Assert.Equal(StoreOutcome.Ok, (await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, "7", null, T0 + 10))).Outcome);
        var cancelled = await CreateAsync(flow);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(cancelled, JobStatus.Cancelled, "cancelled", T0 + 10)).Outcome);
        var unknown = NewId();

        var jobs = await Store.GetJobsAsync([pending, blocked.Id, cancelled, unknown, pending]);

        Assert.Equal(new[] { blocked.Id, cancelled, pending }.Order(StringComparer.Ordinal), jobs.Select(j => j.Id).Order(StringComparer.Ordinal));
        foreach (var job in jobs)
        {
            var one = await GetAsync(job.Id);
            Assert.Equal((one.Status, one.Version, one.ContextJson, one.Error), (job.Status, job.Version, job.ContextJson, job.Error));
            Assert.Equal(one.Resolutions, job.Resolutions);
        }

        Assert.Equal("7", ResolutionOf(jobs.Single(j => j.Id == blocked.Id), "hook").OutputJson);
        Assert.Empty(await Store.GetJobsAsync([]));
        Assert.Empty(await Store.GetJobsAsync([unknown]));
    }

    [Fact]
    public async Task GetJobs_ReadsAThousandJobsInOneCall()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i));
        }

        var jobs = await Store.GetJobsAsync(ids);

        Assert.Equal(ids.Order(StringComparer.Ordinal), jobs.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.All(jobs, j => Assert.Equal(JobStatus.Pending, j.Status));
    }

    [Fact]
    public async Task Scheduler_WaitForJob_OfAnUnknownJob_ThrowsJobNotFound_AndATimeoutNamesTheStatus()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("hook");
        scheduler.AddFlow(flow, new StateFlow([new State("Wait") { OnEnter = async ctx => ctx.WaitFor(new WaitFor("go", "external")), OnState = async ctx => ctx }]));
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(flow);
        await EventuallyAsync(async () => (await scheduler.GetJobAsync(id)).Status == JobStatus.Blocking, "the job waits");

        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.WaitForJobAsync(NewId(), TimeSpan.FromSeconds(20)));
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => scheduler.WaitForJobAsync(id, TimeSpan.FromMilliseconds(300)));
        Assert.Contains("blocking", timeout.Message, StringComparison.Ordinal);
        var zero = await Assert.ThrowsAsync<TimeoutException>(() => scheduler.WaitForJobAsync(id, TimeSpan.Zero));
        Assert.Contains("blocking", zero.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_TwoSchedulersEachAwaiting200Jobs_SeeThemAllFinish()
    {
        const int PerScheduler = 200;
        var flow = NewFlow("hook");
        var first = NewScheduler();
        var second = NewScheduler(await SecondInstanceOrStoreAsync());
        foreach (var scheduler in new[] { first, second })
        {
            scheduler.AddFlow(flow, new StateFlow(
            [
                new State("Wait")
                {
                    OnEnter = async ctx => ctx.WaitFor(new WaitFor("go", "external")),
                    OnState = async ctx => ctx.Output(ctx.GetWait("go")!.Output!.GetValue<string>()),
                },
            ]));
            await scheduler.StartAsync();
        }

        var ids = await Task.WhenAll(Enumerable.Range(0, 2 * PerScheduler).Select(i => (i % 2 == 0 ? first : second).ScheduleAsync(flow, i)));
        // Every caller waits at once, from both schedulers, while the jobs block; then every job is let go.
        var waits = ids.Select((id, i) => (i % 2 == 0 ? first : second).WaitForJobAsync(id, TimeSpan.FromSeconds(120))).ToList();
        await EventuallyAsync(
            async () => (await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Blocking, Limit = 1000 })).Count == ids.Length,
            "every job blocks",
            TimeSpan.FromSeconds(120));
        foreach (var chunk in ids.Chunk(50))
        {
            await Task.WhenAll(chunk.Select(id => first.ResolveBlockingJobAsync(id, "go", id)));
        }

        var jobs = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(150));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.Equal(ids, jobs.Select(j => j.Context.Output<string>()));
    }
}
