using System.Diagnostics;

namespace Envoy.Runtime.Tests.Scheduling;

public sealed class RetryTests : SchedulerTestBase
{
    [Fact]
    public async Task FailingStep_IsRetriedMaxRetriesTimes_ThenTheJobFails()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("bad", OneState(ctx => { Interlocked.Increment(ref attempts); throw new InvalidOperationException("disk full"); })), c => c.MaxRetries = 2);
        using var events = new EventRecorder(scheduler);

        var id = await scheduler.ScheduleAsync("bad");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("disk full", job.Error);
        Assert.Equal(2, job.Retries);
        Assert.Equal(3, job.Attempts);
        Assert.Equal(3, Volatile.Read(ref attempts));
        var finished = await events.WaitForFinishedAsync(id, Timeout);
        Assert.Equal(JobStatus.Failed, finished.Status);
        Assert.Equal("disk full", finished.Error);
        var history = await scheduler.GetJobHistoryAsync(id);
        Assert.Equal([JobStatus.Pending, JobStatus.Pending, JobStatus.Failed], history.Where(e => e.Kind == JobEventKind.StepFailed).Select(e => e.To!.Value));
    }

    [Fact]
    public async Task MaxRetriesZero_NeverRetries()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("bad", OneState(ctx => { Interlocked.Increment(ref attempts); throw new InvalidOperationException("once"); })), c => c.MaxRetries = 0);

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("bad"), Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(0, job.Retries);
        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task FlowOptionsMaxRetries_OverridesTheSchedulers()
    {
        var attempts = new Dictionary<string, int> { ["few"] = 0, ["none"] = 0, ["default"] = 0 };
        StateFlow Failing(string name) => OneState(ctx => { lock (attempts) { attempts[name]++; } throw new InvalidOperationException(name); });
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("few", Failing("few"), new FlowOptions { MaxRetries = 1 })
                .AddFlow("none", Failing("none"), new FlowOptions { MaxRetries = 0 })
                .AddFlow("default", Failing("default"), new FlowOptions()),
            c => c.MaxRetries = 3);

        var jobs = await Task.WhenAll(new[] { "few", "none", "default" }.Select(async f => await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync(f), Timeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Failed, j.Status));
        Assert.Equal([1, 0, 3], jobs.Select(j => j.Retries));
        Assert.Equal(2, attempts["few"]);
        Assert.Equal(1, attempts["none"]);
        Assert.Equal(4, attempts["default"]);
    }

    [Fact]
    public async Task TransientFailure_SucceedsOnARetry_FromTheLastCommittedState()
    {
        var runs = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0 };
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A") { OnState = async ctx => { lock (runs) { runs["A"]++; } return ctx.Output(5); } },
            new State("B")
            {
                OnState = async ctx =>
                {
                    int run;
                    lock (runs)
                    {
                        run = ++runs["B"];
                    }

                    return run < 3 ? throw new TimeoutException("upstream slow") : ctx.Output(ctx.Input<int>() * 2);
                },
            },
        ])));

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("two"), Timeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(10, job.Context.Output<int>());
        Assert.Equal(2, job.Retries);
        Assert.Equal(1, runs["A"]);
        Assert.Equal(3, runs["B"]);
        Assert.Null(job.Error);
    }

    [Fact]
    public async Task ContextFail_FailsTheStep_AndIsRetriedLikeAnException()
    {
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => { Interlocked.Increment(ref attempts); return ctx.Fail("invalid order"); })), c => c.MaxRetries = 1);

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("f"), Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal("invalid order", job.Error);
        Assert.Equal(1, job.Retries);
        Assert.Equal(2, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task MaxSteps_FailsTheJobAtOnce_WithoutRetry()
    {
        var runs = 0;
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("loop", new StateFlow(
                [new State("Again") { OnState = async ctx => { Interlocked.Increment(ref runs); return ctx; }, Router = Router.Next("Again") }],
                new StateFlowOptions { MaxSteps = 4 })),
            c => c.MaxRetries = 3);

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("loop"), Timeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("MaxSteps", job.Error, StringComparison.Ordinal);
        Assert.Equal(0, job.Retries);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(4, Volatile.Read(ref runs));
        Assert.Equal(DoneReason.MaxSteps, job.Context.Done);
    }

    [Fact]
    public async Task DefaultBackoff_AJobWithMaxRetries2_FailsForGoodWithinAFewSeconds()
    {
        var defaults = new SchedulerConfig();
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("bad", OneState(ctx => throw new InvalidOperationException("always"))),
            c =>
            {
                c.MaxRetries = 2;
                c.RetryBaseDelay = defaults.RetryBaseDelay;
                c.RetryMaxDelay = defaults.RetryMaxDelay;
            });
        var clock = Stopwatch.StartNew();

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("bad"), TimeSpan.FromSeconds(5));

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Retries);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"Took {clock.Elapsed}.");
    }

    [Fact]
    public async Task Backoff_GrowsExponentiallyWithJitter_AndNoRetryRunsBeforeItsTime()
    {
        var time = NewClock();
        var attempts = 0;
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("bad", OneState(ctx => { Interlocked.Increment(ref attempts); throw new InvalidOperationException("down"); })).AddFlow("probe", OneState(async ctx => ctx)),
            c =>
            {
                c.MaxRetries = 3;
                c.RetryBaseDelay = TimeSpan.FromSeconds(1);
                c.RetryMaxDelay = TimeSpan.FromSeconds(3);
            },
            time);
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("bad");
        var ceilings = new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3) };

        for (var retry = 1; retry <= 3; retry++)
        {
            var failure = retry;
            await events.WaitForAsync(e => e is StepCompletedEvent { Status: JobStatus.Pending } && e.JobId == id && events.For(id).Count(x => x is StepCompletedEvent) == failure, Timeout);
            var job = await scheduler.GetJobAsync(id);
            Assert.Equal(JobStatus.Pending, job.Status);
            Assert.Equal(retry, job.Retries);
            var delay = job.RunAt - job.UpdatedAt;
            Assert.InRange(delay, ceilings[retry - 1] / 2, ceilings[retry - 1]);

            // Just before its time nothing runs (a probe job proves the workers looked); at its time it runs.
            time.Advance(job.RunAt - time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
            await events.WaitForFinishedAsync(await scheduler.ScheduleAsync("probe"), Timeout);
            Assert.Equal(retry, Volatile.Read(ref attempts));
            Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);

            // Past its time it runs: the clock moves by the timers the scheduler arms from here (the dispatcher's idle wait until
            // the job is due, 2 ms; the maintenance leader's, 1 ms), until the retry's step has completed.
            var ran = events.WaitForAsync(e => e is StepCompletedEvent && e.JobId == id && events.For(id).Count(x => x is StepCompletedEvent) > failure, Timeout);
            await AdvanceArmedTimersUntilAsync(time, ran, due => due <= TimeSpan.FromMilliseconds(2));
            Assert.Equal(retry + 1, Volatile.Read(ref attempts));
        }

        var finished = await events.WaitForFinishedAsync(id, Timeout);
        Assert.Equal(JobStatus.Failed, finished.Status);
        Assert.Equal(4, Volatile.Read(ref attempts));
        Assert.Equal(3, (await scheduler.GetJobAsync(id)).Retries);
    }
}
