using System.Collections.Concurrent;
using System.Diagnostics;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Telemetry (issue 18): the trace context stored with a job (<see cref="NewJob.TraceParent"/>) comes back from every read and
/// every claim, for children spawned by a commit too, so that a step's span links to it in whichever process runs it.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private const string TracedContext = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\nvendor=a:1,other=b";

    [Fact]
    public async Task Telemetry_TraceParent_RoundTripsThroughInsertReadsAndClaims()
    {
        var flow = NewFlow();
        var traced = await Store.CreateJobAsync(JobOf(flow) with { TraceParent = TracedContext });
        var untraced = await Store.CreateJobAsync(JobOf(flow, createdAt: T0 + 1, runAt: T0 + 1));
        var eager = JobOf(NewFlow(), runAt: T0, createdAt: T0) with { TraceParent = TracedContext, Lease = new JobLease(Owner, T0 + Lease) };
        await Store.CreateJobAsync(eager);

        Assert.Equal(TracedContext, (await GetAsync(traced)).TraceParent);
        Assert.Null((await GetAsync(untraced)).TraceParent);
        Assert.Equal(TracedContext, (await GetAsync(eager.Id)).TraceParent);
        var listed = await Store.ListJobsAsync(new JobQuery { Flow = flow });
        Assert.Equal(TracedContext, Assert.Single(listed, j => j.Id == traced).TraceParent);
        var claimed = await ClaimAsync(flow, now: T0 + 2);
        Assert.Equal(2, claimed.Count);
        Assert.Equal(TracedContext, Assert.Single(claimed, j => j.Id == traced).TraceParent);
        Assert.Null(Assert.Single(claimed, j => j.Id == untraced).TraceParent);
    }

    [Fact]
    public async Task Telemetry_ChildrenSpawnedByACommit_KeepTheirTraceParent_AndATakeOverClaimReturnsIt()
    {
        var (parentFlow, childFlow) = (NewFlow("parent"), NewFlow("child"));
        var id = await CreateAsync(parentFlow);
        var claimed = await ClaimOneAsync(parentFlow, id);
        var childId = NewId();
        var commit = StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with
        {
            Children = [JobOf(childFlow, childId, runAt: T0 + 1, createdAt: T0 + 1, parentId: id, parentWaitId: "w1") with { TraceParent = TracedContext }],
            Waits = [new NewWait("w1", "spawn")],
        };
        Assert.True(await CommitOneAsync(commit));

        var child = await ClaimOneAsync(childFlow, childId, now: T0 + 2, leaseUntil: T0 + 3);
        Assert.Equal(TracedContext, child.TraceParent);
        // Its worker died: the claim that takes it over returns the context as well.
        var takenOver = await ClaimOneAsync(childFlow, childId, owner: "worker-2", now: T0 + 10);
        Assert.Equal(TracedContext, takenOver.TraceParent);
    }

    [Fact]
    public async Task Telemetry_StepSpans_LinkToTheSchedulingSpan_AndChildrenToTheParentsStep_AcrossTwoSchedulers()
    {
        var spans = new ConcurrentBag<Activity>();
        using var requests = new ActivitySource("Envoy.Storage.Conformance");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is EnvoyTelemetry.SourceName or "Envoy.Storage.Conformance",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var (parentFlow, childFlow) = (NewFlow("parent"), NewFlow("child"));
        StateFlow Child() => new([new State("Work") { OnState = async ctx => ctx.Output(ctx.Input<int>() + 1) }]);
        StateFlow Parent() => new([new State("Fan") { OnState = async ctx => { ctx.Spawn(childFlow, 1, "one"); ctx.Spawn(childFlow, 2, "two"); return ctx; } }]);
        // The scheduling process only schedules; the worker, on a store instance of its own, runs every step.
        var scheduling = NewScheduler().AddFlow(parentFlow, Parent()).AddFlow(childFlow, Child());
        var worker = NewScheduler(await SecondInstanceOrStoreAsync()).AddFlow(parentFlow, Parent()).AddFlow(childFlow, Child());
        await worker.StartAsync();

        string id;
        ActivityContext request;
        using (var activity = requests.StartActivity("request"))
        {
            request = activity!.Context;
            id = await scheduling.ScheduleAsync(parentFlow);
        }

        var job = await worker.WaitForJobAsync(id, JobTimeout);
        Assert.True(job.Status == JobStatus.Done, job.Error);
        List<Activity> StepsOf(string flow) => [.. spans.Where(s => Equals(s.GetTagItem(EnvoyTelemetry.FlowTag), flow)).OrderBy(s => s.StartTimeUtc)];
        var parentSteps = StepsOf(parentFlow);
        Assert.Equal(["blocked", "done"], parentSteps.Select(s => s.GetTagItem(EnvoyTelemetry.OutcomeTag)));
        Assert.All(parentSteps, s => Assert.Equal((request.TraceId, request.SpanId), (Assert.Single(s.Links).Context.TraceId, s.Links.Single().Context.SpanId)));
        var childSteps = StepsOf(childFlow);
        Assert.Equal(2, childSteps.Count);
        Assert.All(childSteps, s => Assert.Equal((parentSteps[0].TraceId, parentSteps[0].SpanId), (Assert.Single(s.Links).Context.TraceId, s.Links.Single().Context.SpanId)));
        Assert.All(childSteps, s => Assert.Equal("done", s.GetTagItem(EnvoyTelemetry.OutcomeTag)));
    }
}
