using System.Collections.Concurrent;

namespace Envoy.Storage.Conformance;

/// <summary>Idempotency conflicts and cancel cascades, end to end through a scheduler on each store.</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Schedule_SameIdempotencyKeyWithAnotherFlow_IsATypedConflict_AndCreatesNothing()
    {
        var scheduler = NewScheduler();
        var (first, other) = (NewFlow("first"), NewFlow("other"));
        scheduler.AddFlow(first, Chain(runs: null));
        scheduler.AddFlow(other, Chain(runs: null));
        var key = "key-" + NewId();
        var id = await scheduler.ScheduleAsync(first, 1, new ScheduleOptions { IdempotencyKey = key });

        var conflict = await Assert.ThrowsAsync<IdempotencyConflictException>(() => scheduler.ScheduleAsync(other, 2, new ScheduleOptions { IdempotencyKey = key }));

        Assert.Equal(key, conflict.IdempotencyKey);
        Assert.Equal(id, conflict.ExistingJobId);
        Assert.Equal(first, conflict.ExistingFlow);
        Assert.Equal(other, conflict.RequestedFlow);
        Assert.IsAssignableFrom<EnvoyException>(conflict);
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = other }));
        Assert.Equal(id, await scheduler.ScheduleAsync(first, 3, new ScheduleOptions { IdempotencyKey = key }));
    }

    [Fact]
    public async Task Schedule_SameIdempotencyKeyAndFlowConcurrently_ReturnsOneJob_EvenStarted()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("chain");
        scheduler.AddFlow(flow, Chain(runs: null));
        await scheduler.StartAsync();
        var key = "key-" + NewId();

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => scheduler.ScheduleAsync(flow, i, new ScheduleOptions { IdempotencyKey = key }))));

        var id = Assert.Single(ids.Distinct());
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(id, JobTimeout)).Status);
        Assert.Single(await scheduler.ListJobsAsync(new JobQuery { Flow = flow }));
    }

    [Fact]
    public async Task Scheduler_CancelCascade_RaisesJobFinishedForEveryDescendant()
    {
        var (root, child, leaf) = (NewFlow("root"), NewFlow("child"), NewFlow("leaf"));
        var scheduler = NewScheduler();
        scheduler.AddFlow(root, new StateFlow([new State("Spawn") { OnState = async ctx => { ctx.Spawn(child, null, "a"); ctx.Spawn(child, null, "b"); return ctx; } }]));
        scheduler.AddFlow(child, new StateFlow([new State("Spawn") { OnState = async ctx => { ctx.Spawn(leaf, null, "x"); return ctx; } }]));
        scheduler.AddFlow(leaf, new StateFlow([new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("never", "webhook")) }]));
        using var watch = new CascadeWatch(scheduler, blockingFlow: leaf, blocked: 2, finished: 5);
        var finished = watch.Finished;
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(root);
        await watch.Blocked.Task.WaitAsync(JobTimeout);

        await scheduler.CancelJobAsync(id);
        await watch.AllFinished.Task.WaitAsync(JobTimeout);

        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id });
        var leaves = (await Task.WhenAll(children.Select(c => scheduler.ListJobsAsync(new JobQuery { ParentId = c.Id })))).SelectMany(l => l).ToList();
        Assert.Equal(2, children.Count);
        Assert.Equal(2, leaves.Count);
        Assert.Equal(
            new[] { id }.Concat(children.Select(c => c.Id)).Concat(leaves.Select(l => l.Id)).Order(StringComparer.Ordinal),
            finished.Keys.Order(StringComparer.Ordinal));
        Assert.All(finished.Values, e => Assert.Equal(JobStatus.Cancelled, e.Status));
        Assert.All(children, c => Assert.Equal(child, finished[c.Id].Flow));
        Assert.All(leaves, l => Assert.Equal(leaf, finished[l.Id].Flow));
        Assert.All(leaves, l => Assert.Equal(JobStatus.Cancelled, l.Status));
    }

    [Fact]
    public async Task Scheduler_AJobFailingByItsOwnStep_RaisesJobFinishedForEachDescendantItCancels()
    {
        // Children scheduled with a ParentId do not block their parent: the parent's own step can fail while they still wait.
        var (parent, child) = (NewFlow("parent"), NewFlow("child"));
        var scheduler = NewScheduler();
        var fail = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.AddFlow(parent, new StateFlow([new State("Work") { OnState = async ctx => { await fail.Task.WaitAsync(ctx.CancellationToken); throw new InvalidOperationException("parent broke"); } }]), new FlowOptions { MaxRetries = 0 });
        scheduler.AddFlow(child, new StateFlow([new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("never", "webhook")) }]));
        using var watch = new CascadeWatch(scheduler, blockingFlow: child, blocked: 2, finished: 3);
        var finished = watch.Finished;
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(parent);
        var children = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => scheduler.ScheduleAsync(child, null, new ScheduleOptions { ParentId = id })));
        await watch.Blocked.Task.WaitAsync(JobTimeout);

        fail.TrySetResult();
        await watch.AllFinished.Task.WaitAsync(JobTimeout);

        Assert.Equal(JobStatus.Failed, finished[id].Status);
        Assert.All(children, c =>
        {
            Assert.Equal(JobStatus.Cancelled, finished[c].Status);
            Assert.Equal(child, finished[c].Flow);
            Assert.Equal($"cancelled: ancestor job '{id}' ended failed", finished[c].Error);
        });
        Assert.All(await Task.WhenAll(children.Select(c => scheduler.GetJobAsync(c))), j => Assert.Equal(JobStatus.Cancelled, j.Status));
    }

    [Fact]
    public async Task ListJobs_ExcludeFlows_LeavesOutJobsOfThoseFlows()
    {
        var (served, alsoServed, unserved) = (NewFlow("served"), NewFlow("also"), NewFlow("unserved"));
        var a = await CreateAsync(served);
        var b = await CreateAsync(alsoServed);
        var c = await CreateAsync(unserved);

        var listed = await Store.ListJobsAsync(new JobQuery { Status = JobStatus.Pending, ExcludeFlows = [served, alsoServed], Limit = 10_000 });
        var all = await Store.ListJobsAsync(new JobQuery { Status = JobStatus.Pending, ExcludeFlows = [], Limit = 10_000 });

        Assert.Contains(listed, j => j.Id == c);
        Assert.DoesNotContain(listed, j => j.Id == a || j.Id == b);
        Assert.DoesNotContain(listed, j => j.Flow == served || j.Flow == alsoServed);
        Assert.Contains(all, j => j.Id == a);
    }

    /// <summary>Watches a scheduler's events: when a number of steps of one flow have blocked, and when a number of jobs have finished.</summary>
    private sealed class CascadeWatch : IDisposable
    {
        private readonly IDisposable _subscription;
        private int _blockedSteps;

        public CascadeWatch(Scheduler scheduler, string blockingFlow, int blocked, int finished)
        {
            _subscription = scheduler.Events.Subscribe(new EventObserver(e =>
            {
                if (e is StepCompletedEvent { Status: JobStatus.Blocking } step && step.Flow == blockingFlow && Interlocked.Increment(ref _blockedSteps) == blocked)
                {
                    Blocked.TrySetResult();
                }
                else if (e is JobFinishedEvent done && Finished.TryAdd(done.JobId, done) && Finished.Count == finished)
                {
                    AllFinished.TrySetResult();
                }
            }));
        }

        /// <summary>Each finished job's event, by job id.</summary>
        public ConcurrentDictionary<string, JobFinishedEvent> Finished { get; } = new();

        /// <summary>Set once the steps of the blocking flow have blocked.</summary>
        public TaskCompletionSource Blocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set once the jobs have finished.</summary>
        public TaskCompletionSource AllFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => _subscription.Dispose();
    }

    private sealed class EventObserver(Action<SchedulerEvent> onNext) : IObserver<SchedulerEvent>
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
