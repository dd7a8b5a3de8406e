namespace Envoy.Runtime.Tests.Scheduling;

public sealed class CrossSchedulerTests : SchedulerTestBase
{
    [Fact]
    public async Task WaitForJob_TimesOutWithTimeoutException()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("never")));
        var id = await scheduler.ScheduleAsync("hook");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => scheduler.WaitForJobAsync(id, TimeSpan.FromMilliseconds(300)));

        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.False((await scheduler.GetJobAsync(id)).Status.IsTerminal());
    }

    [Fact]
    public async Task WaitForJob_UnknownJob_ThrowsJobNotFound_AndHonoursCancellation()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("never")));
        var id = await scheduler.ScheduleAsync("hook");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.WaitForJobAsync(Guid.NewGuid().ToString(), Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scheduler.WaitForJobAsync(id, Timeout, cancel.Token));
    }

    [Fact]
    public async Task WaitForJob_ManyWaiters_EachWakesWhenItsOwnJobFinishes()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")), c => c.PollInterval = TimeSpan.FromSeconds(30));
        var ids = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            ids.Add(await scheduler.ScheduleAsync("hook"));
        }

        // Two waiters on every job; the 30 s safety poll means only the finished-job signals can end them in time.
        var waits = ids.SelectMany(id => new[] { scheduler.WaitForJobAsync(id, Timeout), scheduler.WaitForJobAsync(id, Timeout) }).ToList();
        foreach (var id in ids)
        {
            await WaitForBlockingAsync(scheduler, id, "go");
        }

        var firstHalf = ids.Take(150).ToList();
        foreach (var id in firstHalf)
        {
            await scheduler.ResolveBlockingJobAsync(id, "go", id);
        }

        var finished = await Task.WhenAll(waits.Where((_, i) => i < 300)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(finished, job => Assert.Equal(JobStatus.Done, job.Status));
        Assert.All(waits.Where((_, i) => i >= 300), wait => Assert.False(wait.IsCompleted, "A waiter woke for another job's end."));
        foreach (var id in ids.Skip(150))
        {
            await scheduler.ResolveBlockingJobAsync(id, "go", id);
        }

        var rest = await Task.WhenAll(waits.Where((_, i) => i >= 300)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ids.Skip(150).SelectMany(id => new[] { id, id }), rest.Select(job => job.Context.Output<string>()));
    }

    [Fact]
    public async Task WaitForJob_OfAJobAlreadyFinished_ReturnsAtOnce()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output(3))));
        var id = await scheduler.ScheduleAsync("f");
        await scheduler.WaitForJobAsync(id, Timeout);

        var job = await scheduler.WaitForJobAsync(id, TimeSpan.Zero);

        Assert.Equal(3, job.Context.Output<int>());
    }

    [Fact]
    public async Task WaitForJob_CompletesForAJobFinishedByAnotherSchedulerOnTheSameFile()
    {
        var caller = await NewSchedulerAsync(c => c.PollInterval = TimeSpan.FromSeconds(30));
        caller.AddFlow("hook", WaitsFor("go"));
        var worker = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")));
        var id = await caller.ScheduleAsync("hook");
        var waiting = caller.WaitForJobAsync(id, Timeout);
        await WaitForBlockingAsync(worker, id, "go");

        await worker.ResolveBlockingJobAsync(id, "go", "from the worker");

        var job = await waiting;
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("from the worker", job.Context.Output<string>());
        Assert.False(caller.IsRunning);
    }

    [Fact]
    public async Task WaitForJob_CompletesForAJobFinishedByASchedulerOfAnotherProcess()
    {
        var worker = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output("elsewhere"))));
        await worker.StopAsync();

        // A second path to the same file gets its own in-process signals, as another process would: only the file tells.
        var link = Path.Combine(Path.GetDirectoryName(DatabasePath)!, "link.db");
        File.CreateSymbolicLink(link, DatabasePath);
        await using var caller = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = link }, PollInterval = TimeSpan.FromSeconds(30) });
        var id = await worker.ScheduleAsync("f");
        var waiting = caller.WaitForJobAsync(id, TimeSpan.FromSeconds(40));

        await worker.StartAsync();

        // The caller's safety poll is 30 s, so finishing well before that means the file's change woke it.
        var job = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("elsewhere", job.Context.Output<string>());
    }

    [Fact]
    public async Task SchedulerOnTheSameFile_AfterARestart_FinishesWhatTheFirstLeft()
    {
        string pending;
        string blocking;
        var first = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output("ran"))).AddFlow("hook", WaitsFor("go")));
        await first.StopAsync();
        pending = await first.ScheduleAsync("f");
        await first.StartAsync();
        blocking = await first.ScheduleAsync("hook");
        await WaitForBlockingAsync(first, blocking, "go");
        await first.StopAsync();
        var scheduledWhileStopped = await first.ScheduleAsync("f");
        await first.DisposeAsync();

        var second = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output("ran"))).AddFlow("hook", WaitsFor("go")));
        await second.ResolveBlockingJobAsync(blocking, "go", "after restart");

        Assert.Equal(JobStatus.Done, (await second.WaitForJobAsync(pending, Timeout)).Status);
        Assert.Equal("ran", (await second.WaitForJobAsync(scheduledWhileStopped, Timeout)).Context.Output<string>());
        Assert.Equal("after restart", (await second.WaitForJobAsync(blocking, Timeout)).Context.Output<string>());
    }
}
