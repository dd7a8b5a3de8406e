namespace Envoy.Runtime.Tests.Scheduling;

public sealed class LifecycleTests : SchedulerTestBase
{
    [Fact]
    public async Task StartAndStop_CalledTwiceOrOutOfOrder_AreHarmless()
    {
        var scheduler = await NewSchedulerAsync();
        scheduler.AddFlow("f", OneState(async ctx => ctx.Output(1)));

        await scheduler.StopAsync();
        Assert.False(scheduler.IsRunning);
        await scheduler.StartAsync();
        await scheduler.StartAsync();
        Assert.True(scheduler.IsRunning);
        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("f"), Timeout);
        await scheduler.StopAsync();
        await scheduler.StopAsync();

        Assert.False(scheduler.IsRunning);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(1, job.Attempts);
    }

    [Fact]
    public async Task Start_AfterStop_RunsJobsAgain()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output(ctx.Input<int>()))));
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("f", 1), Timeout)).Status);
        await scheduler.StopAsync();

        var id = await scheduler.ScheduleAsync("f", 2);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
        await scheduler.StartAsync();

        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(2, job.Context.Output<int>());
    }

    [Fact]
    public async Task Stop_LetsARunningStepFinishWithinItsDeadline()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenFiredDuringStep = false;
        var runsOfA = 0;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    Interlocked.Increment(ref runsOfA);
                    started.TrySetResult();
                    #pragma warning disable VSTHRD003 // The test owns this gate.
                    await release.Task;
                    #pragma warning restore VSTHRD003
                    tokenFiredDuringStep = ctx.CancellationToken.IsCancellationRequested;
                    return ctx.Output("a");
                },
            },
            new State("B") { OnState = async ctx => ctx.Output(ctx.Input<string>() + "b") },
        ])));
        var id = await scheduler.ScheduleAsync("two");
        await started.Task.WaitAsync(Timeout);

        using var deadline = new CancellationTokenSource(Timeout);
        var stopping = scheduler.StopAsync(deadline.Token);
        release.SetResult();
        await stopping;

        Assert.False(deadline.IsCancellationRequested);
        Assert.False(tokenFiredDuringStep);
        var afterStop = await scheduler.GetJobAsync(id);
        Assert.NotEqual(JobStatus.Running, afterStop.Status);
        var history = await scheduler.GetJobHistoryAsync(id);
        Assert.Contains(history, e => e.Kind == JobEventKind.StepCompleted && e.State == "A");
        Assert.DoesNotContain(history, e => e.Kind == JobEventKind.Released);

        await scheduler.StartAsync();
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("ab", job.Context.Output<string>());
        Assert.Equal(1, Volatile.Read(ref runsOfA));
    }

    [Fact]
    public async Task Stop_AStepStillRunningAtTheDeadline_IsReleasedAndFinishedByTheNextStart()
    {
        var runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("slow", OneState(async ctx =>
        {
            if (Interlocked.Increment(ref runs) == 1)
            {
                started.SetResult();
                await Task.Delay(System.Threading.Timeout.Infinite, ctx.CancellationToken);
            }

            return ctx.Output("done on run " + Volatile.Read(ref runs));
        })));
        var id = await scheduler.ScheduleAsync("slow");
        await started.Task.WaitAsync(Timeout);

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await scheduler.StopAsync(deadline.Token).WaitAsync(Timeout);

        var released = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Pending, released.Status);
        Assert.Null(released.Error);
        Assert.Equal(JobEventKind.Released, (await scheduler.GetJobHistoryAsync(id))[^1].Kind);
        Assert.Equal(0, released.Retries);

        await scheduler.StartAsync();
        var job = await scheduler.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("done on run 2", job.Context.Output<string>());
        Assert.Equal(2, job.Attempts);
        Assert.Equal(0, job.Retries);
    }

    [Fact]
    public async Task Dispose_StopsTheScheduler_AndLaterUseIsRefused()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx)));
        var id = await scheduler.ScheduleAsync("f");
        await scheduler.WaitForJobAsync(id, Timeout);

        await scheduler.DisposeAsync();
        await scheduler.DisposeAsync();

        Assert.False(scheduler.IsRunning);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => scheduler.ScheduleAsync("f"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => scheduler.StartAsync());
    }

    [Fact]
    public async Task Stop_AStepIgnoringItsToken_IsAbandonedAtTheDeadline_AndTakenOverAfterItsLease()
    {
        var runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StateFlow Stubborn() => OneState(async ctx =>
        {
            var run = Interlocked.Increment(ref runs);
            if (run == 1)
            {
                started.SetResult();
                #pragma warning disable VSTHRD003 // The test owns this gate; the step ignores its token on purpose.
                await stuck.Task;
                #pragma warning restore VSTHRD003
            }

            return ctx.Output("done on run " + run);
        });
        void ShortLease(SchedulerConfig c) => c.LeaseDuration = TimeSpan.FromSeconds(1);

        var stopping = await StartSchedulerAsync(s => s.AddFlow("stubborn", Stubborn()), ShortLease);
        try
        {
            var id = await stopping.ScheduleAsync("stubborn");
            await started.Task.WaitAsync(Timeout);

            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await stopping.StopAsync(deadline.Token).WaitAsync(Timeout);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Stop must return at its deadline (plus the grace), not after {watch.Elapsed}.");
            Assert.False(stopping.IsRunning);

            // Abandoned, not released: the job stays leased until the lease runs out, then another worker takes it over.
            var other = await StartSchedulerAsync(s => s.AddFlow("stubborn", Stubborn()), ShortLease);
            var job = await other.WaitForJobAsync(id, Timeout);
            Assert.Equal(JobStatus.Done, job.Status);
            Assert.Equal("done on run 2", job.Context.Output<string>());
            Assert.Equal(2, job.Attempts);
        }
        finally
        {
            stuck.TrySetResult();
        }
    }
}
