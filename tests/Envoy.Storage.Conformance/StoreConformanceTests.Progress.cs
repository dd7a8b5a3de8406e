namespace Envoy.Storage.Conformance;

/// <summary>
/// Progress events (<c>ctx.Report</c>): a job reporting on one scheduler is seen live by the store subscribers of another
/// scheduler on the same store (another process's store instance for PostgreSQL NOTIFY and Redis; another store on the same
/// file for SQLite), in order, before the step's commit, up to the largest progress value allowed.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Progress_ReportedOnOneScheduler_IsSeenByAnotherSchedulerOnTheSameStore()
    {
        var listener = NewScheduler();
        var worker = NewScheduler(await SecondInstanceOrStoreAsync());
        var probe = NewFlow("probe");
        var flow = NewFlow("report");
        var seenFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var largest = new string('p', JobProgressLimits.MaxJsonLength - 2); // its JSON (with the quotes) is exactly the limit
        worker.AddFlow(probe, new StateFlow([new State("P") { OnState = async ctx => ctx.Output(1) }]));
        worker.AddFlow(flow, new StateFlow(
        [
            new State("Work")
            {
                OnState = async ctx =>
                {
                    ctx.Report(new { percent = 10 });
#pragma warning disable VSTHRD003 // The test's own gate: the step goes on once the other scheduler saw its first report.
                    await seenFirst.Task.WaitAsync(JobTimeout);
#pragma warning restore VSTHRD003
                    ctx.Report(largest);
                    return ctx.Output("done");
                },
            },
        ]));
        await using var watch = StoreEventWatch.Observing(listener);
        await worker.StartAsync();
        await WaitUntilConnectedAsync(watch, worker, probe);

        var id = await worker.ScheduleAsync(flow);
        var first = (JobProgressEvent)await watch.WaitAsync(e => e is JobProgressEvent && e.JobId == id, JobTimeout, "the first progress");
        seenFirst.SetResult();
        await watch.WaitAsync(e => e is JobFinishedEvent f && f.JobId == id, JobTimeout, "the job's end");

        Assert.Equal((flow, "Work", 1, 1L, 10), (first.Flow, first.State, first.Step, first.Sequence, first.Progress!["percent"]!.GetValue<int>()));
        var events = watch.For(id);
        Assert.Equal(["ss Work 1", "JobProgressEvent", "JobProgressEvent", "sc Work 1 Done", "jf Done"], events.Select(Describe));
        var last = events.OfType<JobProgressEvent>().Last();
        Assert.Equal((2L, largest), (last.Sequence, last.Progress!.GetValue<string>()));
        Assert.Empty(watch.For(string.Empty)); // nothing was dropped
    }
}
