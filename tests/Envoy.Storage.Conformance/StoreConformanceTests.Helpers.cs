using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    /// <summary>A new job id (a UUID, as the scheduler makes them).</summary>
    protected static string NewId() => Guid.NewGuid().ToString();

    /// <summary>A flow name of its own for one test, so claims and lists see only that test's jobs.</summary>
    protected static string NewFlow(string prefix = "flow") => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A valid serialized context for a job at <paramref name="state"/>.</summary>
    protected static string ContextJson(string jobId, string state = "A", object? input = null) =>
        new StateContext(state, input) { JobId = jobId }.Serialize();

    /// <summary>The time of <paramref name="ms"/> Unix milliseconds.</summary>
    protected static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>How the scheduler writes a job's input (<see cref="NewJob.InputJson"/>): no <c>\uXXXX</c> escapes of letters or quotes.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions InputJsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A job to insert.</summary>
    protected static NewJob JobOf(
        string flow,
        string? id = null,
        int priority = 0,
        long runAt = T0,
        long createdAt = T0,
        string? parentId = null,
        string? parentWaitId = null,
        string? key = null,
        object? input = null)
    {
        id ??= NewId();
        return new NewJob(id, flow, ContextJson(id, "A", input), priority, runAt, createdAt, parentId, parentWaitId, key)
        {
            InputJson = input is null ? null : System.Text.Json.JsonSerializer.Serialize(input, InputJsonOptions),
        };
    }

    /// <summary>Inserts a job and returns its id.</summary>
    protected Task<string> CreateAsync(string flow, int priority = 0, long runAt = T0, long createdAt = T0, string? parentId = null, string? key = null) =>
        Store.CreateJobAsync(JobOf(flow, priority: priority, runAt: runAt, createdAt: createdAt, parentId: parentId, key: key));

    /// <summary>Claims up to <paramref name="max"/> jobs of <paramref name="flow"/>.</summary>
    protected Task<IReadOnlyList<JobRecord>> ClaimAsync(string flow, string owner = Owner, long now = T0, int max = 10, long? leaseUntil = null, IJobStore? store = null) =>
        (store ?? Store).ClaimAsync(new ClaimRequest(owner, max, now, leaseUntil ?? now + Lease, [flow]));

    /// <summary>Claims one job of <paramref name="flow"/> and checks that it is <paramref name="id"/>.</summary>
    protected async Task<JobRecord> ClaimOneAsync(string flow, string id, string owner = Owner, long now = T0, long? leaseUntil = null)
    {
        var claimed = await ClaimAsync(flow, owner, now, 1, leaseUntil);
        var job = Assert.Single(claimed);
        Assert.Equal(id, job.Id);
        Assert.Equal(JobStatus.Running, job.Status);
        return job;
    }

    /// <summary>The job, which must exist.</summary>
    protected async Task<JobRecord> GetAsync(string id, IJobStore? store = null)
    {
        var job = await (store ?? Store).GetJobAsync(id);
        Assert.True(job is not null, $"Job '{id}' does not exist.");
        return job!;
    }

    /// <summary>The job's history, which must exist.</summary>
    protected async Task<IReadOnlyList<JobEvent>> HistoryAsync(string id)
    {
        var history = await Store.GetHistoryAsync(id);
        Assert.True(history is not null, $"Job '{id}' has no history.");
        return history!;
    }

    /// <summary>The commit of one step of a claimed job, with one history entry; adjust it with <c>with</c>.</summary>
    protected static StepCommit StepOf(JobRecord claimed, JobStatus status, string owner = Owner, long now = T0 + 10, string state = "B", object? output = null) => new()
    {
        JobId = claimed.Id,
        Owner = owner,
        ExpectedVersion = claimed.Version,
        Status = status,
        ContextJson = ContextJson(claimed.Id, state, output),
        NowMs = now,
        LeaseUntilMs = status == JobStatus.Running ? now + Lease : null,
        Retries = claimed.Retries,
        Events = [new JobEvent(claimed.Id, At(now), JobEventKind.StepCompleted, "A", 1, JobStatus.Running, status, TimeSpan.FromMilliseconds(3))],
    };

    /// <summary>Commits one step; returns whether it was applied.</summary>
    protected async Task<bool> CommitOneAsync(StepCommit commit, IJobStore? store = null)
    {
        var applied = await (store ?? Store).CommitAsync([commit]);
        return Assert.Single(applied);
    }

    /// <summary>Creates a job, claims it and commits it blocking on external waits; returns it as stored.</summary>
    protected async Task<JobRecord> BlockAsync(string flow, IReadOnlyList<string> waitIds, long now = T0)
    {
        var id = await CreateAsync(flow, runAt: now, createdAt: now);
        var claimed = await ClaimOneAsync(flow, id, now: now);
        var commit = StepOf(claimed, JobStatus.Blocking, now: now + 1) with { Waits = waitIds.Select(w => new NewWait(w, "external")).ToList() };
        Assert.True(await CommitOneAsync(commit));
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Blocking, job.Status);
        return job;
    }

    /// <summary>
    /// Creates a parent job of <paramref name="parentFlow"/>, claims it and commits it blocking on <paramref name="count"/>
    /// spawned children of <paramref name="childFlow"/>; returns the parent id and each child with its wait id.
    /// </summary>
    protected async Task<(string ParentId, IReadOnlyList<(string WaitId, string ChildId)> Children)> SpawnAsync(string parentFlow, string childFlow, int count, long now = T0, string? parentId = null)
    {
        var id = await Store.CreateJobAsync(JobOf(parentFlow, runAt: now, createdAt: now, parentId: parentId));
        var claimed = await ClaimOneAsync(parentFlow, id, now: now);
        var children = Enumerable.Range(1, count).Select(i => ("w_spawn_" + i, NewId())).ToList();
        var commit = StepOf(claimed, JobStatus.Blocking, now: now + 1) with
        {
            Children = children.Select(c => JobOf(childFlow, c.Item2, runAt: now + 1, createdAt: now + 1, parentId: id, parentWaitId: c.Item1)).ToList(),
            Waits = children.Select(c => new NewWait(c.Item1, "spawn")).ToList(),
        };
        Assert.True(await CommitOneAsync(commit));
        return (id, children);
    }

    /// <summary>Claims a job and commits it terminal; returns the stored job.</summary>
    protected async Task<JobRecord> FinishByCommitAsync(string flow, string id, JobStatus status, long now = T0 + 100, string? error = null, object? output = null)
    {
        var claimed = await ClaimOneAsync(flow, id, now: now);
        var commit = StepOf(claimed, status, now: now + 1, output: output) with
        {
            Error = status == JobStatus.Done ? null : error ?? "failed",
            OutputJson = status == JobStatus.Done && output is not null ? System.Text.Json.JsonSerializer.Serialize(output) : null,
        };
        Assert.True(await CommitOneAsync(commit));
        var job = await GetAsync(id);
        Assert.Equal(status, job.Status);
        return job;
    }

    /// <summary>The resolution of one wait of a job, which must be there.</summary>
    protected static WaitRow ResolutionOf(JobRecord job, string waitId)
    {
        var row = job.Resolutions.SingleOrDefault(r => r.WaitId == waitId);
        Assert.True(row is not null, $"Job '{job.Id}' has no resolution of wait '{waitId}' (it has: {string.Join(", ", job.Resolutions.Select(r => r.WaitId))}).");
        return row!;
    }

    /// <summary>Checks that a store operation left the job as it was.</summary>
    protected static void AssertUnchanged(JobRecord before, JobRecord after)
    {
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Version, after.Version);
        Assert.Equal(before.UpdatedAtMs, after.UpdatedAtMs);
        Assert.Equal(before.RunAtMs, after.RunAtMs);
        Assert.Equal(before.FinishedAtMs, after.FinishedAtMs);
        Assert.Equal(before.Error, after.Error);
        Assert.Equal(before.Retries, after.Retries);
        Assert.Equal(before.Attempts, after.Attempts);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(before.ContextJson), JsonNode.Parse(after.ContextJson)), "The context changed.");
        Assert.Equal(before.Resolutions.Select(r => (r.WaitId, r.Kind)).OrderBy(r => r.WaitId), after.Resolutions.Select(r => (r.WaitId, r.Kind)).OrderBy(r => r.WaitId));
    }

    /// <summary>Checks that two serialized contexts hold the same JSON.</summary>
    protected static void AssertSameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected} but found {actual}.");

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (for effects with no event to wait on).</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting until " + because + ".");
            }

            await Task.Delay(10);
        }
    }
}
