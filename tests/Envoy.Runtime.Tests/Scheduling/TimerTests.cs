namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Durable timers driven by a fake clock: <see cref="StateContext.Sleep"/>, <see cref="WaitFor.Timeout"/>, and bad input.</summary>
public sealed class TimerTests : SchedulerTestBase
{
    private static readonly TimeSpan OneMs = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task Sleep_FakeClock_ResumesOnceTheDelayPassed_NotAMillisecondBefore()
    {
        var time = NewClock();
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("nap", new StateFlow(
            [
                new State("Nap")
                {
                    OnEnter = async ctx => { ctx.Sleep("nap", TimeSpan.FromHours(1)); return ctx; },
                    OnState = async ctx => ctx.Output(ctx.GetWait("nap")!.Status.ToString()),
                },
            ])),
            time: time);
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("nap");
        var blocked = await WaitForBlockingAsync(scheduler, id, "nap");
        Assert.Equal(TimeSpan.FromHours(1), blocked.Context.GetWait("nap")!.Timeout ?? TimeSpan.FromHours(1));

        // The firing loop looks at the store again after the clock moved, and plans to wake in 1 ms: the timer is not due yet.
        time.Advance(TimeSpan.FromHours(1) - OneMs);
        await time.WaitForTimerAsync(t => t == OneMs, Timeout);
        Assert.Equal(JobStatus.Blocking, (await scheduler.GetJobAsync(id)).Status);

        time.Advance(OneMs);
        await events.WaitForFinishedAsync(id, Timeout);
        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(nameof(WaitStatus.Success), job.Context.Output<string>());
        Assert.Single(await scheduler.GetJobHistoryAsync(id), e => e.Kind == JobEventKind.WaitResolved);
    }

    [Fact]
    public async Task WaitForTimeout_FakeClock_NobodyResolves_HandlerSeesErrorTimeout()
    {
        var time = NewClock();
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("hook", new StateFlow(
            [
                new State("Wait")
                {
                    OnEnter = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook") { Timeout = TimeSpan.FromMinutes(5) }),
                    OnState = async ctx => ctx.Output(ctx.GetWait("hook")!.Error),
                },
            ])),
            time: time);
        using var events = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("hook");
        await WaitForBlockingAsync(scheduler, id, "hook");

        time.Advance(TimeSpan.FromMinutes(5));
        await events.WaitForFinishedAsync(id, Timeout);

        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(Wait.TimeoutError, job.Context.Output<string>());
    }

    [Fact]
    public void BadInput_ZeroOrNegativeDelay_DuplicateId_AreTypedErrorsNamingTheWait()
    {
        var ctx = new StateContext("S");

        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Sleep("nap", TimeSpan.Zero));
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Sleep("nap", TimeSpan.FromSeconds(-1)));
        var timeout = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.WaitFor(new WaitFor("hook", "webhook") { Timeout = TimeSpan.Zero }));
        var escalation = Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Escalate("ann", "ok?", [], TimeSpan.FromMinutes(-5)));
        Assert.Equal("delay", zero.ParamName);
        Assert.Contains("Sleep 'nap'", zero.Message, StringComparison.Ordinal);
        Assert.Contains("more than zero", negative.Message, StringComparison.Ordinal);
        Assert.Contains("WaitFor 'hook'", timeout.Message, StringComparison.Ordinal);
        Assert.Equal("timeout", escalation.ParamName);
        Assert.Empty(ctx.Waits);

        Assert.Equal("nap", ctx.Sleep("nap", TimeSpan.FromSeconds(1)));
        var duplicate = Assert.Throws<ArgumentException>(() => ctx.Sleep("nap", TimeSpan.FromSeconds(2)));
        Assert.Contains("already has a wait 'nap'", duplicate.Message, StringComparison.Ordinal);
        var wait = Assert.Single(ctx.Waits);
        Assert.Equal((WaitTypes.Timer, TimeSpan.FromSeconds(1)), (wait.Type, wait.Timeout));
    }
}
