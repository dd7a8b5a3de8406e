using Envoy.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

public sealed class ScheduleTests : SchedulerTestBase
{
    [Fact]
    public async Task Schedule_ReturnsTheUuidOfAPendingJobHoldingItsInput()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("echo", OneState(async ctx => ctx));

        var id = await scheduler.ScheduleAsync("echo", new { name = "ada" });

        Assert.True(Guid.TryParse(id, out _), id);
        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(id, job.Id);
        Assert.Equal("echo", job.Flow);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal("ada", job.Context.Input()!["name"]!.GetValue<string>());
        Assert.Equal(id, job.Context.JobId);
        Assert.Null(job.ParentId);
        Assert.Null(job.StartedAt);
        Assert.Equal(0, job.Retries);
        Assert.Equal(JobEventKind.Scheduled, Assert.Single(await scheduler.GetJobHistoryAsync(id)).Kind);
    }

    [Fact]
    public async Task Schedule_UnknownFlow_ThrowsFlowNotFoundAndCreatesNothing()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("known", OneState(async ctx => ctx));

        var error = await Assert.ThrowsAsync<FlowNotFoundException>(() => scheduler.ScheduleAsync("unknown", 1));

        Assert.Equal("unknown", error.Flow);
        Assert.Contains("unknown", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<EnvoyException>(error);
        Assert.Empty(await scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task Schedule_BadOptions_AreRefusedAndCreateNothing()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.ScheduleAsync("f", null, new ScheduleOptions { Delay = TimeSpan.FromSeconds(-1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleAsync("f", null, new ScheduleOptions { IdempotencyKey = string.Empty }));
        await Assert.ThrowsAsync<ArgumentException>(() => scheduler.ScheduleAsync("f", null, new ScheduleOptions { IdempotencyKey = new string('k', 513) }));
        var missingParent = Guid.NewGuid().ToString();
        var error = await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.ScheduleAsync("f", null, new ScheduleOptions { ParentId = missingParent }));
        Assert.Equal(missingParent, error.JobId);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => scheduler.ScheduleAsync(" ", null));

        Assert.Empty(await scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task Schedule_WithParentId_RecordsTheParentWithoutBlockingIt()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        var parent = await scheduler.ScheduleAsync("f");

        var child = await scheduler.ScheduleAsync("f", null, new ScheduleOptions { ParentId = parent });

        Assert.Equal(parent, (await scheduler.GetJobAsync(child)).ParentId);
        Assert.Equal(child, Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = parent })).Id);
        await scheduler.StartAsync();
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(parent, Timeout)).Status);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(child, Timeout)).Status);
    }

    [Fact]
    public async Task Schedule_SameIdempotencyKey_ReturnsTheFirstJob()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx.Output(ctx.Input<int>())));

        var first = await scheduler.ScheduleAsync("f", 1, new ScheduleOptions { IdempotencyKey = "order-17" });
        var second = await scheduler.ScheduleAsync("f", 2, new ScheduleOptions { IdempotencyKey = "order-17", Priority = 5 });
        var other = await scheduler.ScheduleAsync("f", 3, new ScheduleOptions { IdempotencyKey = "order-18" });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        var job = await scheduler.GetJobAsync(first);
        Assert.Equal(1, job.Context.Input<int>());
        Assert.Equal("order-17", job.IdempotencyKey);
        Assert.Equal(0, job.Priority);
        Assert.Equal(2, (await scheduler.ListJobsAsync()).Count);
    }

    [Fact]
    public async Task ScheduleJob_SaysWhetherThisCallCreatedTheJob()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));

        var first = await scheduler.ScheduleJobAsync("f", 1, new ScheduleOptions { IdempotencyKey = "order-17" });
        var again = await scheduler.ScheduleJobAsync("f", 2, new ScheduleOptions { IdempotencyKey = "order-17" });
        var plain = await scheduler.ScheduleJobAsync("f", 3);

        Assert.True(first.Created);
        Assert.Equal(new ScheduledJob(first.Id, Created: false), again);
        Assert.True(plain.Created);
        Assert.NotEqual(first.Id, plain.Id);
        Assert.Equal(2, (await scheduler.ListJobsAsync()).Count);
    }

    [Fact]
    public async Task ScheduleJob_ConcurrentCallsWithOneIdempotencyKey_ExactlyOneCreates_AlsoWithEagerStart()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx));
        await scheduler.StartAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => scheduler.ScheduleJobAsync("f", i, new ScheduleOptions { IdempotencyKey = "once" }))));

        Assert.Single(results, r => r.Created);
        var id = Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
    }

    [Fact]
    public async Task Schedule_ConcurrentCallsWithOneIdempotencyKey_CreateOneJob()
    {
        var scheduler = await NewSchedulerAsync();
        var runs = 0;
        scheduler.AddFlow("f", OneState(async ctx => { Interlocked.Increment(ref runs); return ctx; }));
        await scheduler.StartAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => scheduler.ScheduleAsync("f", i, new ScheduleOptions { IdempotencyKey = "once" }))));

        var id = Assert.Single(ids.Distinct());
        Assert.Equal(id, Assert.Single(await scheduler.ListJobsAsync()).Id);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, Timeout)).Status);
        Assert.Equal(1, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task Schedule_WithDelay_DoesNotRunBeforeItsTime_AndRunsOnceTheClockPassesIt()
    {
        var time = NewClock();
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output("ran"))), time: time);
        using var events = new EventRecorder(scheduler);

        var delayed = await scheduler.ScheduleAsync("f", null, new ScheduleOptions { Delay = TimeSpan.FromMinutes(10) });
        var now = await scheduler.ScheduleAsync("f");
        await events.WaitForFinishedAsync(now, Timeout);

        var job = await scheduler.GetJobAsync(delayed);
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromMinutes(10), job.RunAt);
        Assert.DoesNotContain(events.Events, e => e.JobId == delayed);

        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        var probe = await scheduler.ScheduleAsync("f");
        await events.WaitForFinishedAsync(probe, Timeout);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(delayed)).Status);

        await AdvanceUntilFinishedAsync(time, events, delayed);
        Assert.Equal("ran", (await scheduler.GetJobAsync(delayed)).Context.Output<string>());
    }

    [Fact]
    public async Task Schedule_WithRunAt_DoesNotRunBeforeItsTime_AndRunsOnceTheClockPassesIt()
    {
        var time = NewClock();
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output("ran"))), time: time);
        using var events = new EventRecorder(scheduler);
        var runAt = time.GetUtcNow().AddHours(2);

        var later = await scheduler.ScheduleAsync("f", null, new ScheduleOptions { RunAt = runAt, Delay = TimeSpan.FromDays(9) });
        var past = await scheduler.ScheduleAsync("f", null, new ScheduleOptions { RunAt = time.GetUtcNow().AddHours(-1) });
        await events.WaitForFinishedAsync(past, Timeout);

        var job = await scheduler.GetJobAsync(later);
        Assert.Equal(runAt, job.RunAt);
        Assert.Equal(JobStatus.Pending, job.Status);

        time.Advance(runAt - time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        var probe = await scheduler.ScheduleAsync("f");
        await events.WaitForFinishedAsync(probe, Timeout);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(later)).Status);

        await AdvanceUntilFinishedAsync(time, events, later);
        Assert.True((await scheduler.GetJobAsync(later)).StartedAt >= runAt);
    }

    [Fact]
    public async Task Schedule_Priority_HigherRunsFirst()
    {
        var scheduler = await NewSchedulerAsync(c => { c.Concurrency = 1; c.ClaimBatchSize = 1; });
        var order = new List<int>();
        scheduler.AddFlow("f", OneState(async ctx => { lock (order) { order.Add(ctx.Input<int>()); } return ctx; }));
        var ids = new List<string>();
        foreach (var priority in new[] { 0, 5, -3, 10, 5, 1 })
        {
            ids.Add(await scheduler.ScheduleAsync("f", priority * 100 + ids.Count, new ScheduleOptions { Priority = priority }));
        }

        await scheduler.StartAsync();
        foreach (var id in ids)
        {
            await scheduler.WaitForJobAsync(id, Timeout);
        }

        Assert.Equal([1003, 501, 504, 105, 0, -298], order);
        Assert.Equal(10, (await scheduler.GetJobAsync(ids[3])).Priority);
    }

    [Fact]
    public async Task AddFlow_IsChainable_AndRefusesBadFlows()
    {
        var scheduler = await NewSchedulerAsync();

        var returned = scheduler.AddFlow("a", OneState(async ctx => ctx)).AddFlow("b", OneState(async ctx => ctx), new FlowOptions { MaxRetries = 0 });

        Assert.Same(scheduler, returned);
        Assert.Equal(["a", "b"], scheduler.Flows.Keys.Order());
        Assert.Throws<StateFlowValidationException>(() => scheduler.AddFlow("empty", new StateFlow([])));
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.AddFlow("c", OneState(async ctx => ctx), new FlowOptions { MaxRetries = -1 }));
        Assert.ThrowsAny<ArgumentException>(() => scheduler.AddFlow("", OneState(async ctx => ctx)));
    }

    [Fact]
    public async Task InitAsync_InvalidConfig_ListsEveryProblem()
    {
        var error = await Assert.ThrowsAsync<EnvoyConfigurationException>(() => Scheduler.InitAsync(new SchedulerConfig
        {
            Sqlite = new SqliteConfig { Path = DatabasePath },
            Concurrency = 0,
            MaxRetries = -1,
            LeaseDuration = TimeSpan.FromMilliseconds(10),
        }));

        Assert.Equal(3, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("Concurrency", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("MaxRetries", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("LeaseDuration", StringComparison.Ordinal));
        Assert.False(File.Exists(DatabasePath));
    }

    /// <summary>
    /// Advances the fake clock past a delayed job's run-at (one millisecond away) and waits for it to finish: the clock moves only
    /// by the timers the scheduler arms from here (the dispatcher's idle wait until the job is due, 2 ms; the maintenance
    /// leader's, 1 ms), each once armed, so it never moves while the dispatcher is between a claim and arming its timer.
    /// </summary>
    private static async Task AdvanceUntilFinishedAsync(TimerWatchingTimeProvider time, EventRecorder events, string jobId)
    {
        var finished = events.WaitForFinishedAsync(jobId, Timeout);
        await AdvanceArmedTimersUntilAsync(time, finished, due => due <= TimeSpan.FromMilliseconds(2));
        Assert.Equal(JobStatus.Done, (await finished).Status);
    }
}
