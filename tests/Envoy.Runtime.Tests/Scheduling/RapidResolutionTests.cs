using System.Collections.Concurrent;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>A wait resolved right after its job blocks is never lost. Heavy, so it runs alone.</summary>
[Collection(SerialTests.Name)]
public sealed class RapidResolutionTests : SchedulerTestBase
{
    [Fact]
    public async Task Resolve_1000RapidBlockThenResolveCycles_LeaveNoJobBlocking()
    {
        const int Jobs = 1000;
        Scheduler? scheduler = null;
        var resolutions = new ConcurrentBag<Task>();
        var failures = new ConcurrentQueue<Exception>();
        scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")), c => { c.Concurrency = 8; c.PollInterval = TimeSpan.FromSeconds(1); });
        var finished = 0;
        var allFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = scheduler.Events.Subscribe(new Observer(e =>
        {
            // Resolve the very moment the blocking step is committed, while the worker is still finishing it.
            if (e is StepCompletedEvent { Status: JobStatus.Blocking } blocked)
            {
                resolutions.Add(ResolveAsync(blocked.JobId));
            }
            else if (e is JobFinishedEvent && Interlocked.Increment(ref finished) == Jobs)
            {
                allFinished.SetResult();
            }
        }));

        async Task ResolveAsync(string jobId)
        {
            try
            {
                await scheduler!.ResolveBlockingJobAsync(jobId, "go", jobId);
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        }

        var ids = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => scheduler.ScheduleAsync("hook", i)));
        var jobs = await Task.WhenAll(ids.Select(id => scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(60))));
        await allFinished.Task.WaitAsync(Timeout);
        await Task.WhenAll(resolutions);

        Assert.Empty(failures);
        Assert.Equal(Jobs, resolutions.Count);
        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.All(jobs, j => Assert.Equal(j.Id, j.Context.Output<string>()));
        Assert.Empty(await scheduler.ListBlockingJobsAsync());
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Pending }));
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Running }));
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
