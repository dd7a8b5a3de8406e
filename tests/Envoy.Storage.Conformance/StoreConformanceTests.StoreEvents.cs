namespace Envoy.Storage.Conformance;

/// <summary>
/// The store-wide event feed (<c>StoreEvents</c>, <c>ReadStoreEventsAsync</c>): a scheduler's subscribers see its own events
/// once, and the events of another store instance on the same data (another process, for PostgreSQL and Redis; another store
/// of this process, for SQLite); nothing is sent while nobody listens.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task StoreEvents_ThisSchedulersJob_ArriveOnceInOrder()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("chain");
        scheduler.AddFlow(flow, Chain(runs: null));
        await using var watch = StoreEventWatch.Reading(scheduler);
        await EventuallyAsync(() => Task.FromResult(scheduler.StoreEventFeed.Hub.SubscriberCount == 1), "the reader subscribed");
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow, 1);
        await watch.WaitAsync(e => e is JobFinishedEvent f && f.JobId == id, JobTimeout, "the job's end");
        // Its events also went out to the store (this scheduler listens) and came back: they are skipped, not delivered twice.
        // The echo of the first job precedes the end of a second one on the same transport.
        var publisher = scheduler.StoreEventFeed.Publisher;
        if (publisher is not null)
        {
            await EventuallyAsync(() => Task.FromResult(publisher.Sent + publisher.Dropped == publisher.Offered), "every event offered went out");
        }

        var second = await scheduler.ScheduleAsync(flow, 2);
        await watch.WaitAsync(e => e is JobFinishedEvent f && f.JobId == second, JobTimeout, "the second job's end");

        var mine = watch.For(id);
        Assert.Equal(
            ["ss A 1", "sc A 1 Running", "ss B 2", "sc B 2 Running", "ss C 3", "sc C 3 Done", "jf Done"],
            mine.Select(Describe));
        Assert.All(mine, e => Assert.Equal(flow, FlowOf(e)));
    }

    [Fact]
    public async Task StoreEvents_JobsOfAnotherInstance_ReachThisSchedulersSubscribers()
    {
        var listener = NewScheduler();
        var worker = NewScheduler(await SecondInstanceOrStoreAsync());
        var probe = NewFlow("probe");
        var flow = NewFlow("ask");
        var user = "user-" + NewId();
        // Larger than one PostgreSQL NOTIFY: such an escalation travels by reference and is read back from the store.
        var message = "Approve? " + new string('x', 9_000);
        worker.AddFlow(probe, new StateFlow([new State("P") { OnState = async ctx => ctx.Output(1) }]));
        worker.AddFlow(flow, new StateFlow(
        [
            new State("Ask")
            {
                OnEnter = async ctx =>
                {
                    ctx.Escalate(user, message, [EscalationInput.Approve("ok", "OK"), EscalationInput.Comment("note", "Note")]);
                    return ctx;
                },
                OnState = async ctx => ctx.Output("answered"),
            },
        ]));
        var watch = StoreEventWatch.Observing(listener);
        await using var _ = watch;
        await worker.StartAsync();
        await WaitUntilConnectedAsync(watch, worker, probe);

        var id = await worker.ScheduleAsync(flow);
        var created = (EscalationCreatedEvent)await watch.WaitAsync(e => e is EscalationCreatedEvent c && c.JobId == id, JobTimeout, "the escalation");
        Assert.Equal((user, message, id, EscalationStatus.Pending), (created.Escalation.User, created.Escalation.Message, created.Escalation.JobId, created.Escalation.Status));
        Assert.Equal(["ok", "note"], created.Escalation.Inputs.Select(i => i.Id));
        await listener.ReplyToEscalationAsync(created.Escalation.Id, new Dictionary<string, object?> { ["ok"] = true, ["note"] = "fine" }, EscalationDecision.Approved);
        await watch.WaitAsync(e => e is JobFinishedEvent f && f.JobId == id, JobTimeout, "the job's end");

        var events = watch.For(id);
        Assert.Equal(["ss Ask 1", "sc Ask 1 Blocking", "ec", "ss Ask 1", "sc Ask 1 Done", "jf Done"], events.Select(Describe));
        Assert.All(events.Where(e => e is not EscalationCreatedEvent), e => Assert.Equal(flow, FlowOf(e)));
        Assert.Empty(watch.For(string.Empty)); // no gap: nothing was dropped
    }

    [Fact]
    public async Task StoreEvents_ManyJobsOfAnotherInstance_AllArrive_BatchedIntoFewerMessages()
    {
        const int Jobs = 150;
        var listener = NewScheduler();
        var worker = NewScheduler(await SecondInstanceOrStoreAsync(), c => c.Concurrency = 16);
        var flow = NewFlow("chain");
        worker.AddFlow(flow, Chain(runs: null));
        await using var watch = StoreEventWatch.Observing(listener);
        await worker.StartAsync();
        await WaitUntilConnectedAsync(watch, worker, flow);
        var publisher = worker.StoreEventFeed.Publisher!;
        var (eventsBefore, payloadsBefore) = (publisher.Sent, publisher.Payloads);

        var ids = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => worker.ScheduleAsync(flow, i)));
        foreach (var id in ids)
        {
            await watch.WaitAsync(e => e is JobFinishedEvent f && f.JobId == id, JobTimeout, "the end of job " + id);
        }

        Assert.All(ids, id => Assert.Equal(7, watch.For(id).Count)); // 3 × (started, completed) + finished, each once
        Assert.Empty(watch.For(string.Empty));
        // A listener may get a NOTIFY before the sender's round trip returns and counts it: wait for the count to catch up.
        await EventuallyAsync(() => Task.FromResult(publisher.Sent - eventsBefore >= Jobs * 7), $"{Jobs * 7} events counted as sent");
        var (events, payloads) = (publisher.Sent - eventsBefore, publisher.Payloads - payloadsBefore);
        Assert.True(payloads < events / 4, $"{events} events in {payloads} messages.");
    }

    [Fact]
    public async Task StoreEvents_NobodyListening_NothingIsSent_UntilSomeoneSubscribes()
    {
        var worker = NewScheduler();
        var flow = NewFlow("chain");
        worker.AddFlow(flow, Chain(runs: null));
        await worker.StartAsync();
        var publisher = worker.StoreEventFeed.Publisher;
        Assert.NotNull(publisher);

        var id = await worker.ScheduleAsync(flow, 1);
        Assert.Equal(JobStatus.Done, (await worker.WaitForJobAsync(id, JobTimeout)).Status);
        await EventuallyAsync(() => Task.FromResult(publisher.Offered > 0 && publisher.Dropped == publisher.Offered), "the job's events were dropped, nobody listening");
        Assert.Equal(0, publisher.Payloads);
        Assert.Equal(0, publisher.Sent);

        // Someone subscribes (another instance): the same scheduler's events go out again.
        var listener = NewScheduler(await SecondInstanceOrStoreAsync());
        await using var watch = StoreEventWatch.Observing(listener);
        await WaitUntilConnectedAsync(watch, worker, flow);
        // The listener may get the message before the sender's round trip returns and counts it.
        await EventuallyAsync(() => Task.FromResult(publisher.Payloads > 0), "a message counted as sent once someone listens");
    }

    [Fact]
    public async Task StoreEvents_LastSubscriberLeaves_TheSchedulerStopsListening()
    {
        var scheduler = NewScheduler();
        var transport = Store.EventTransport;
        Assert.NotNull(transport);
        var first = scheduler.StoreEvents.Subscribe(new NullObserver());
        var second = scheduler.StoreEvents.Subscribe(new NullObserver());
        Assert.True(scheduler.StoreEventFeed.IsListening);
        await EventuallyAsync(() => transport.HasListenersAsync(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()), "the listener is announced");

        first.Dispose();
        Assert.True(scheduler.StoreEventFeed.IsListening);
        second.Dispose();

        Assert.False(scheduler.StoreEventFeed.IsListening);
        await EventuallyAsync(async () => !await transport.HasListenersAsync(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()), "the listener withdrew");
    }

    /// <summary>
    /// Schedules jobs of <paramref name="probe"/> on <paramref name="worker"/> until <paramref name="watch"/> sees one end: the
    /// listener is then connected and announced, and the worker knows it (it asks at most every two seconds).
    /// </summary>
    private static async Task WaitUntilConnectedAsync(StoreEventWatch watch, Scheduler worker, string probe)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var id = await worker.ScheduleAsync(probe, 0);
            if (await watch.TryWaitAsync(e => e is JobFinishedEvent f && f.JobId == id, TimeSpan.FromSeconds(1)) is not null)
            {
                return;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "The listener never received the worker's events.");
        }
    }

    private static string Describe(SchedulerEvent e) => e switch
    {
        StepStartedEvent s => $"ss {s.State} {s.Step}",
        StepCompletedEvent c => $"sc {c.State} {c.Step} {c.Status}",
        JobFinishedEvent f => $"jf {f.Status}",
        EscalationCreatedEvent => "ec",
        _ => e.GetType().Name,
    };

    private static string? FlowOf(SchedulerEvent e) => e switch
    {
        StepStartedEvent s => s.Flow,
        StepCompletedEvent c => c.Flow,
        JobFinishedEvent f => f.Flow,
        _ => null,
    };

    private sealed class NullObserver : IObserver<SchedulerEvent>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(SchedulerEvent value)
        {
        }
    }
}
