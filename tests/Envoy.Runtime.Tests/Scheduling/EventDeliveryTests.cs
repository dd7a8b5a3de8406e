using Envoy.Runtime.Execution.Events;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Events are delivered off the commit pipeline: observers cannot slow commits, and a reader that falls behind is told.</summary>
public sealed class EventDeliveryTests : SchedulerTestBase
{
    [Fact]
    public async Task Events_AnObserverThatBlocks_DelaysNoCommit()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("two", new StateFlow(
        [
            new State("A") { OnState = async ctx => ctx.Output(1) },
            new State("B") { OnState = async ctx => ctx.Output(2) },
        ])));
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slow = scheduler.Events.Subscribe(new Observer(_ =>
        {
            blocked.TrySetResult();
            release.Wait(Timeout * 2);
        }));
        using var events = new EventRecorder(scheduler);

        try
        {
            var first = await scheduler.ScheduleAsync("two");
            await blocked.Task.WaitAsync(Timeout);
            var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => scheduler.ScheduleAsync("two")));
            var jobs = await Task.WhenAll(ids.Prepend(first).Select(id => scheduler.WaitForJobAsync(id, Timeout)));

            Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
            // The other observer heard of every job meanwhile.
            foreach (var id in ids)
            {
                await events.WaitForFinishedAsync(id, Timeout);
            }
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task Events_AThrowingObserver_StillGetsTheNextEvents()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("f", OneState(async ctx => ctx)));
        var finished = new TaskCompletionSource<SchedulerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = scheduler.Events.Subscribe(new Observer(e =>
        {
            if (e is JobFinishedEvent)
            {
                finished.TrySetResult(e);
            }

            throw new InvalidOperationException("observer bug");
        }));

        var id = await scheduler.ScheduleAsync("f");

        Assert.Equal(id, (await finished.Task.WaitAsync(Timeout)).JobId);
    }

    [Fact]
    public async Task ReadEvents_AReaderThatFallsBehind_IsToldHowManyEventsItMissed()
    {
        var hub = new SchedulerEventHub();
        using var stop = new CancellationTokenSource(Timeout);
        var extra = 25;
        var total = SchedulerEventsLimits.BufferCapacity + extra;
        await using var reader = hub.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        var first = reader.MoveNextAsync();
        for (var i = 0; i < total; i++)
        {
            hub.Publish(new JobFinishedEvent("job-" + i, DateTimeOffset.UnixEpoch.AddSeconds(i), "f", JobStatus.Done, null));
        }

        var read = new List<SchedulerEvent>();
        Assert.True(await first);
        read.Add(reader.Current);
        while (read[^1] is not EventsDroppedEvent && await reader.MoveNextAsync())
        {
            read.Add(reader.Current);
        }

        hub.Publish(new JobFinishedEvent("after", DateTimeOffset.UnixEpoch, "f", JobStatus.Done, null));
        Assert.True(await reader.MoveNextAsync());

        var gap = Assert.IsType<EventsDroppedEvent>(read[^1]);
        var delivered = read.Count - 1;
        Assert.Equal(total, delivered + gap.Count);
        Assert.True(delivered >= SchedulerEventsLimits.BufferCapacity, $"Only {delivered} events were delivered before the gap.");
        Assert.Equal(Enumerable.Range(0, delivered).Select(i => "job-" + i), read.Take(delivered).Select(e => e.JobId));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddSeconds(delivered), gap.At);
        Assert.Equal("after", reader.Current.JobId);
    }

    private sealed class Observer(Action<SchedulerEvent> onNext) : IObserver<SchedulerEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SchedulerEvent value) => onNext(value);
    }
}
