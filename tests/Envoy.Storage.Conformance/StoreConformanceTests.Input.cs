using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>The input a job was scheduled with: stored by every kind of insert, never changed by a commit.</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task CreateJob_KeepsTheScheduledInput_UnchangedByStepsRetriesAndEnds()
    {
        var flow = NewFlow();
        var input = new { order = "A-17", items = new[] { 1, 2 }, note = "Grüße <b>" };
        var id = await Store.CreateJobAsync(JobOf(flow, input: input));
        var expected = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(input));
        AssertInput(expected, await GetAsync(id));

        // A step that keeps the job running, then one that fails it (another input for the next state each time).
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Running, now: T0 + 1, output: new { other = 1 })));
        AssertInput(expected, await GetAsync(id));
        var running = await GetAsync(id);
        Assert.True(await CommitOneAsync(StepOf(running, JobStatus.Failed, now: T0 + 2, state: "C", output: "changed") with { Error = "boom" }));
        AssertInput(expected, await GetAsync(id));

        Assert.Equal(StoreOutcome.Ok, (await Store.RetryJobAsync(id, T0 + 3)).Outcome);
        var retried = await ClaimOneAsync(flow, id, now: T0 + 3);
        Assert.True(await CommitOneAsync(StepOf(retried, JobStatus.Done, now: T0 + 4, state: "D", output: 42)));

        var done = await GetAsync(id);
        Assert.Equal(JobStatus.Done, done.Status);
        AssertInput(expected, done);
        AssertInput(expected, Assert.Single(await Store.GetJobsAsync([id])));
        AssertInput(expected, Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow })));
    }

    [Fact]
    public async Task CreateJob_WithoutInput_HasNone_AndEagerAndGroupedCreatesKeepTheirOwn()
    {
        var flow = NewFlow();
        var none = await Store.CreateJobAsync(JobOf(flow));
        Assert.Null((await GetAsync(none)).InputJson);

        // Inserted claimed (an eager start), and many at once (grouped into shared transactions where the store groups them).
        var eager = JobOf(flow, input: new { eager = true }) with { Lease = new JobLease(Owner, T0 + Lease) };
        Assert.Equal(eager.Id, await Store.CreateJobAsync(eager));
        AssertInput(JsonNode.Parse("""{"eager":true}"""), await GetAsync(eager.Id));
        var many = Enumerable.Range(0, 20).Select(i => JobOf(flow, input: new { n = i })).ToList();
        await Task.WhenAll(many.Select(job => Store.CreateJobAsync(job)));
        for (var i = 0; i < many.Count; i++)
        {
            AssertInput(JsonNode.Parse($$"""{"n":{{i}}}"""), await GetAsync(many[i].Id));
        }
    }

    [Fact]
    public async Task CommitSteps_SpawnedChildren_KeepTheInputTheirParentGaveThem()
    {
        var parentFlow = NewFlow("parent");
        var childFlow = NewFlow("child");
        var id = await Store.CreateJobAsync(JobOf(parentFlow, input: "parent input"));
        var claimed = await ClaimOneAsync(parentFlow, id);
        var children = Enumerable.Range(1, 3).Select(i => JobOf(childFlow, runAt: T0 + 1, createdAt: T0 + 1, parentId: id, parentWaitId: "w" + i, input: new[] { i, i * i })).ToList();
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with
        {
            Children = children,
            Waits = children.Select(c => new NewWait(c.ParentWaitId!, WaitTypes.Spawn)).ToList(),
        }));

        for (var i = 0; i < children.Count; i++)
        {
            AssertInput(JsonNode.Parse($"[{i + 1},{(i + 1) * (i + 1)}]"), await GetAsync(children[i].Id));
        }

        var child = await ClaimOneAsync(childFlow, children[0].Id, now: T0 + 2);
        Assert.True(await CommitOneAsync(StepOf(child, JobStatus.Done, now: T0 + 3, output: "child done") with { OutputJson = "\"child done\"" }));
        AssertInput(JsonNode.Parse("[1,1]"), await GetAsync(children[0].Id));
        AssertInput(JsonValue.Create("parent input"), await GetAsync(id));
    }

    [Fact]
    public async Task Scheduler_JobInput_IsTheScheduledInput_WhileTheStateInputMovesOn()
    {
        var scheduler = NewScheduler();
        var flow = NewFlow("chain");
        scheduler.AddFlow(flow, Chain(runs: null));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow, 4);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(4, job.Input!.GetValue<int>());
        Assert.NotEqual(4, job.Context.Input<int>());
        Assert.Equal(4, (await scheduler.GetJobAsync(id)).Input!.GetValue<int>());
        Assert.Null((await scheduler.GetJobAsync(await scheduler.ScheduleAsync(flow, options: new ScheduleOptions { Delay = TimeSpan.FromHours(1) }))).Input);
    }

    private static void AssertInput(JsonNode? expected, JobRecord job) =>
        Assert.True(
            JsonNode.DeepEquals(expected, job.InputJson is null ? null : JsonNode.Parse(job.InputJson)),
            $"Job '{job.Id}' has the input {job.InputJson ?? "(none)"}, expected {expected?.ToJsonString() ?? "(none)"}.");
}
