using Envoy.Runtime.Coordination;

namespace Envoy.Storage.Conformance;

/// <summary>
/// The Ready signal of freed concurrency-limit slots (issue 18): the scheduler raises one for each commit batch that takes
/// limited jobs out of running, the moment it is applied, not one for each job (with Redis, each is a publish to every
/// process).
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Concurrency_Scheduler_LimitedJobsEndingTogether_RaiseAReadySignalPerCommitBatch_NotPerJob()
    {
        const int Jobs = 32;
        var flow = NewFlow("limited");
        var running = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduler = NewScheduler(configure: o => o.Concurrency = Jobs);
        scheduler.AddFlow(
            flow,
            new StateFlow(
            [
                new State("A")
                {
                    OnState = async ctx =>
                    {
                        if (Interlocked.Increment(ref running) == Jobs)
                        {
                            allRunning.TrySetResult();
                        }

#pragma warning disable VSTHRD003 // The test's own gate: every job ends once all are running.
                        await release.Task;
#pragma warning restore VSTHRD003
                        return ctx;
                    },
                    Router = Router.End,
                },
            ]),
            new FlowOptions { ConcurrencyLimit = 100_000 });
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add((await scheduler.ScheduleJobAsync(flow, options: new ScheduleOptions { ConcurrencyKey = "tenant-a" })).Id);
        }

        await scheduler.StartAsync();
        await allRunning.Task.WaitAsync(JobTimeout);
        using var recorder = new SignalRecorder(Store.Signals);

        // Every job ends at once: their last commits share a few batches (two are written at a time while the next fills).
        release.SetResult();
        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, JobTimeout)).Status);
        }

        // A stopped scheduler has written its last batch and raised its signals. Before, one Ready each (32).
        using (var stop = new CancellationTokenSource(JobTimeout))
        {
            await scheduler.StopAsync(stop.Token);
        }

        var ready = recorder.Count(s => s.Kind == JobSignalKind.Ready);
        Assert.InRange(ready, 1, Jobs / 2);
    }
}
