namespace Envoy.Runtime.Tests.Scheduling;

public sealed class EventTests : SchedulerTestBase
{
    [Fact]
    public async Task Events_RaiseStepStartedStepCompletedAndJobFinished_InOrder()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(1) },
            new State("B") { OnState = async ctx => ctx.Output(2) },
        ])));
        using var events = new EventRecorder(scheduler);

        var id = await scheduler.ScheduleAsync("two");
        await events.WaitForFinishedAsync(id, Timeout);

        var mine = events.For(id);
        Assert.Equal([typeof(StepStartedEvent), typeof(StepCompletedEvent), typeof(StepStartedEvent), typeof(StepCompletedEvent), typeof(JobFinishedEvent)], mine.Select(e => e.GetType()));
        var started = mine.OfType<StepStartedEvent>().ToList();
        Assert.Equal([("A", 1), ("B", 2)], started.Select(e => (e.State, e.Step)));
        Assert.All(started, e => Assert.Equal("two", e.Flow));
        var completed = mine.OfType<StepCompletedEvent>().ToList();
        Assert.Equal([JobStatus.Running, JobStatus.Done], completed.Select(e => e.Status));
        Assert.All(completed, e => Assert.True(e.Duration >= TimeSpan.Zero));
        var finished = Assert.IsType<JobFinishedEvent>(mine[^1]);
        Assert.Equal(JobStatus.Done, finished.Status);
        Assert.Null(finished.Error);
        Assert.Equal(mine.Select(e => e.At).Order(), mine.Select(e => e.At));
    }

    [Fact]
    public async Task Events_ReportFailuresBlockingAndEscalations()
    {
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("bad", OneState(ctx => throw new InvalidOperationException("kaput")))
                .AddFlow("ask", OneState(async ctx => { ctx.Escalate("ann", "ok?", [EscalationInput.Approve("ok", "OK")]); return ctx; })),
            c => c.MaxRetries = 1);
        using var events = new EventRecorder(scheduler);

        var bad = await scheduler.ScheduleAsync("bad");
        var ask = await scheduler.ScheduleAsync("ask");
        var failed = await events.WaitForFinishedAsync(bad, Timeout);
        var escalation = (EscalationCreatedEvent)await events.WaitForAsync(e => e is EscalationCreatedEvent && e.JobId == ask, Timeout);
        var blocked = await events.WaitForBlockingAsync(ask, Timeout);

        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal("kaput", failed.Error);
        Assert.Equal([JobStatus.Pending, JobStatus.Failed], events.For(bad).OfType<StepCompletedEvent>().Select(e => e.Status));
        Assert.Equal("ann", escalation.Escalation.User);
        Assert.Equal(EscalationStatus.Pending, escalation.Escalation.Status);
        Assert.Equal((await scheduler.ListEscalationsAsync(user: "ann")).Single().Id, escalation.Escalation.Id);
        Assert.Equal("ask", blocked.Flow);
        Assert.DoesNotContain(events.For(ask), e => e is JobFinishedEvent);
    }

    [Fact]
    public async Task ReadEventsAsync_StreamsTheSameEvents()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx.Output(1))));
        using var stop = new CancellationTokenSource(Timeout);
        var seen = new List<SchedulerEvent>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            await using var enumerator = scheduler.ReadEventsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            var next = enumerator.MoveNextAsync();
            subscribed.SetResult();
            while (await next)
            {
                seen.Add(enumerator.Current);
                // The only job: its end may come before ScheduleAsync returns its id (an eager start runs it at once).
                if (enumerator.Current is JobFinishedEvent)
                {
                    return;
                }

                next = enumerator.MoveNextAsync();
            }
        });
        await subscribed.Task;

        var id = await scheduler.ScheduleAsync("f");
        await reading.WaitAsync(Timeout);

        var mine = seen.Where(e => e.JobId == id).ToList();
        Assert.Equal([typeof(StepStartedEvent), typeof(StepCompletedEvent), typeof(JobFinishedEvent)], mine.Select(e => e.GetType()));
    }

    [Fact]
    public async Task Events_CancelledByHand_RaiseJobFinished_AndUnsubscribingStopsThem()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("x")).AddFlow("f", OneState(async ctx => ctx)));
        var recorder = new EventRecorder(scheduler);
        var id = await scheduler.ScheduleAsync("hook");
        await recorder.WaitForBlockingAsync(id, Timeout);

        await scheduler.CancelJobAsync(id);
        var finished = await recorder.WaitForFinishedAsync(id, Timeout);
        recorder.Dispose();
        using var after = new EventRecorder(scheduler);
        var other = await scheduler.ScheduleAsync("f");
        await after.WaitForFinishedAsync(other, Timeout);

        Assert.Equal(JobStatus.Cancelled, finished.Status);
        Assert.DoesNotContain(recorder.Events, e => e.JobId == other);
    }
}
