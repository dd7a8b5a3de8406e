using System.Text.Json.Nodes;

namespace Envoy.Runtime.Tests.Scheduling;

public sealed class ProgressTests : SchedulerTestBase
{
    [Fact]
    public async Task Report_ReachesEventsAndReadEventsAsync_InOrder_CoalescedAndBeforeTheStepCompletes()
    {
        const int reports = 1000;
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("count", OneState(async ctx =>
        {
            for (var i = 1; i <= reports; i++)
            {
                ctx.Report(new { done = i, of = reports });
            }

            return ctx.Output("counted");
        })));
        using var events = new EventRecorder(scheduler);
        using var stop = new CancellationTokenSource(Timeout);
        var read = new List<SchedulerEvent>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? id = null;
        var reading = Task.Run(async () =>
        {
            await using var enumerator = scheduler.ReadEventsAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            var next = enumerator.MoveNextAsync();
            subscribed.SetResult();
            while (await next)
            {
                read.Add(enumerator.Current);
                if (enumerator.Current is JobFinishedEvent finished && finished.JobId == Volatile.Read(ref id))
                {
                    return;
                }

                next = enumerator.MoveNextAsync();
            }
        });
        await subscribed.Task;

        Volatile.Write(ref id, await scheduler.ScheduleAsync("count"));
        await events.WaitForFinishedAsync(id, Timeout);
        await reading.WaitAsync(Timeout);

        foreach (var mine in new[] { events.For(id), read.Where(e => e.JobId == id).ToList() })
        {
            var progress = mine.OfType<JobProgressEvent>().ToList();
            Assert.NotEmpty(progress);
            Assert.True(progress.Count < reports, $"{progress.Count} progress events for {reports} quick reports: not coalesced");
            Assert.Equal(progress.Select(p => p.Sequence).Order(), progress.Select(p => p.Sequence));
            Assert.Equal(progress.Count, progress.Select(p => p.Sequence).Distinct().Count());
            var last = progress[^1];
            Assert.Equal(reports, last.Sequence);
            Assert.Equal(reports, last.Progress!["done"]!.GetValue<int>());
            Assert.All(progress, p => Assert.Equal(("count", "Only", 1), (p.Flow, p.State, p.Step)));

            // The step's progress comes after its start and before its commit.
            var kinds = mine.Select(e => e.GetType()).ToList();
            Assert.True(kinds.IndexOf(typeof(StepStartedEvent)) < kinds.IndexOf(typeof(JobProgressEvent)));
            Assert.True(kinds.LastIndexOf(typeof(JobProgressEvent)) < kinds.IndexOf(typeof(StepCompletedEvent)));
        }

        Assert.Equal(reports, scheduler.ProgressCounters.Reported);
        Assert.True(scheduler.ProgressCounters.Coalesced > 0);
    }

    [Fact]
    public async Task Report_KeepsTheLatestWithinTheInterval_AndAlwaysSendsTheStepsLastReport()
    {
        var time = NewClock();
        var reportedThree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var goOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = await StartSchedulerAsync(
            s => s.AddFlow("steps", OneState(async ctx =>
            {
                ctx.Report(1); // the first: published at once
                ctx.Report(2); // within the interval: waits, then replaced
                ctx.Report(3); // the latest when the interval ends
                reportedThree.SetResult();
#pragma warning disable VSTHRD003 // The test's own gate.
                await goOn.Task;
#pragma warning restore VSTHRD003
                ctx.Report(4);
                ctx.Report(5); // the step's last: published when the step ends
                return ctx;
            })),
            time: time);
        using var events = new EventRecorder(scheduler);

        var id = await scheduler.ScheduleAsync("steps");
        await reportedThree.Task.WaitAsync(Timeout);
        time.Advance(JobProgressLimits.Interval);
        await events.WaitForAsync(e => e is JobProgressEvent { Sequence: 3 } && e.JobId == id, Timeout);
        goOn.SetResult();
        await events.WaitForFinishedAsync(id, Timeout);

        var progress = events.For(id).OfType<JobProgressEvent>().ToList();
        Assert.Equal([1L, 3L, 5L], progress.Select(p => p.Sequence));
        Assert.Equal([1, 3, 5], progress.Select(p => p.Progress!.GetValue<int>()));
    }

    [Fact]
    public async Task Report_WithNobodyListening_NeverBlocksTheStep_AndPublishesLittle()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("quiet", OneState(async ctx =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                ctx.Report(i);
            }

            return ctx.Output("done");
        })));

        var id = await scheduler.ScheduleAsync("quiet");
        var job = await scheduler.WaitForJobAsync(id, Timeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(10_000, scheduler.ProgressCounters.Reported);
        // Until the store-wide publisher learns that no process listens, reports are coalesced and offered (then dropped there);
        // after that, nothing is even built for them. Either way the step is never held up.
        Assert.True(scheduler.ProgressCounters.Published < 1000, $"{scheduler.ProgressCounters.Published} events published for 10000 reports nobody reads");
    }

    [Fact]
    public async Task Report_TooLargeOrUnserializable_IsRefused_AndTheStepGoesOn()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("big", OneState(async ctx =>
        {
            ctx.Report(new string('x', JobProgressLimits.MaxJsonLength));
            ctx.Report(new Unserializable());
            ctx.Report(new JsonObject { ["fine"] = true });
            return ctx.Output("done");
        })));
        using var events = new EventRecorder(scheduler);

        var id = await scheduler.ScheduleAsync("big");
        var finished = await events.WaitForFinishedAsync(id, Timeout);

        Assert.Equal(JobStatus.Done, finished.Status);
        var progress = Assert.Single(events.For(id).OfType<JobProgressEvent>());
        Assert.Equal(1, progress.Sequence); // refused reports take no number
        Assert.True(progress.Progress!["fine"]!.GetValue<bool>());
        Assert.Equal(2, scheduler.ProgressCounters.Refused);
    }

    [Fact]
    public async Task Report_InAnInProcessRun_IsIgnored_OrGoesToTheReporterSetOnTheContext()
    {
        var flow = OneState(async ctx => { ctx.Report("half"); return ctx.Output("done"); });

        var plain = await flow.RunAsync();
        var reporter = new ListReporter();
        var context = flow.NewContext();
        context.ProgressReporter = reporter;
        var reported = await flow.ResumeAsync(context);

        Assert.Equal("done", plain.Output<string>());
        Assert.Equal("done", reported.Output<string>());
        Assert.Equal(["half"], reporter.Reports);
    }

    private sealed class ListReporter : IProgressReporter
    {
        public List<object?> Reports { get; } = [];

        public void Report(StateContext context, object? progress) => Reports.Add(progress);
    }

    private sealed class Unserializable
    {
        public Unserializable Self => this;
    }
}

/// <summary>The code of the snippets in docs/operations.md, "Progress and streaming" (compiled here).</summary>
public static class ProgressDocSnippets
{
    // docs/operations.md: progress of the jobs of every process on the store.
    public static async Task PrintProgressAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        await foreach (var e in scheduler.ReadStoreEventsAsync(cancellationToken))
        {
            if (e is JobProgressEvent p)
            {
                Console.WriteLine($"{p.JobId} {p.State} #{p.Sequence}: {p.Progress?.ToJsonString()}");
            }
        }
    }
}
