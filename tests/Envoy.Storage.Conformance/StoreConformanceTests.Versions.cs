using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Issue 17, flow versions: each job records the version of its flow it started with (the shape's hash or
/// <see cref="FlowOptions.Version"/>), runs only on schedulers that have that version, and is listed as unserved when the
/// scheduler lacks it.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public void Versions_ShapeHash_IsStableForTheSameShape_AndDiffersForAChangedShape()
    {
        var flow = NewFlow("shape");
        var first = NewScheduler().AddFlow(flow, Chain(null));
        var second = NewScheduler().AddFlow(flow, Chain(new System.Collections.Concurrent.ConcurrentDictionary<string, int>()));
        var changed = NewScheduler().AddFlow(flow, Tagged("v1", extraState: true));
        var reordered = NewScheduler().AddFlow(flow, Tagged("other handlers", extraState: true));

        var version = Assert.Single(first.FlowVersions[flow]);
        Assert.Equal(version, Assert.Single(second.FlowVersions[flow]));
        Assert.Equal(16, version.Length);
        Assert.NotEqual(version, Assert.Single(changed.FlowVersions[flow]));
        Assert.Equal(changed.FlowVersions[flow], reordered.FlowVersions[flow]);
    }

    [Fact]
    public async Task Versions_TheJobRecordsItsVersion_HashedOrSetByHand()
    {
        var hashed = NewFlow("hashed");
        var byHand = NewFlow("by-hand");
        var scheduler = NewScheduler().AddFlow(hashed, Chain(null)).AddFlow(byHand, Chain(null), new FlowOptions { Version = "2024-06 release" });

        var hashedId = await scheduler.ScheduleAsync(hashed, 1);
        var byHandId = await scheduler.ScheduleAsync(byHand, 1);

        Assert.Equal(scheduler.FlowVersions[hashed][0], (await scheduler.GetJobAsync(hashedId)).FlowVersion);
        Assert.Equal(scheduler.FlowVersions[hashed][0], (await GetAsync(hashedId)).FlowVersion);
        Assert.Equal("2024-06 release", (await scheduler.GetJobAsync(byHandId)).FlowVersion);
        Assert.Equal("2024-06 release", (await GetAsync(byHandId)).FlowVersion);
        Assert.Null((await scheduler.GetJobAsync(await CreateAsync(byHand))).FlowVersion);
    }

    [Fact]
    public async Task Versions_SeveralRegistered_NewJobsTakeTheNewest_AndOldJobsRunOnTheirOwn()
    {
        var flow = NewFlow("multi");
        var scheduler = NewScheduler()
            .AddFlow(flow, Tagged("v1"), new FlowOptions { Version = "1" })
            .AddFlow(flow, Tagged("v2"), new FlowOptions { Version = "2" });
        var old = await Store.CreateJobAsync(JobOf(flow) with { FlowVersion = "1" });
        var unversioned = await CreateAsync(flow);
        await scheduler.StartAsync();

        var eager = await scheduler.ScheduleAsync(flow);
        var delayed = await scheduler.ScheduleAsync(flow, null, new ScheduleOptions { Delay = TimeSpan.FromMilliseconds(1) });

        Assert.Equal(["1", "2"], scheduler.FlowVersions[flow]);
        Assert.Equal("v1", (await scheduler.WaitForJobAsync(old, JobTimeout)).Context.Output<string>());
        Assert.Equal("v2", (await scheduler.WaitForJobAsync(unversioned, JobTimeout)).Context.Output<string>());
        foreach (var id in new[] { eager, delayed })
        {
            var job = await scheduler.WaitForJobAsync(id, JobTimeout);
            Assert.Equal("2", job.FlowVersion);
            Assert.Equal("v2", job.Context.Output<string>());
        }
    }

    [Fact]
    public async Task Versions_SpawnedChildren_TakeTheNewestVersionOfTheChildFlow()
    {
        var parent = NewFlow("parent");
        var child = NewFlow("child");
        var scheduler = NewScheduler()
            .AddFlow(child, Tagged("c1"), new FlowOptions { Version = "c1" })
            .AddFlow(child, Tagged("c2"), new FlowOptions { Version = "c2" })
            .AddFlow(parent, new StateFlow(
            [
                new State("Spawn")
                {
                    OnState = async ctx =>
                    {
                        ctx.Spawn(child, null, "kid");
                        return ctx;
                    },
                    OnExit = async ctx => ctx.Output(ctx.Get<string>("$spawn.kid.result")),
                    Router = Router.End,
                },
            ]));
        await scheduler.StartAsync();

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync(parent), JobTimeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("c2", job.Context.Output<string>());
        var kid = Assert.Single(await scheduler.ListJobsAsync(new JobQuery { ParentId = job.Id }));
        Assert.Equal("c2", kid.FlowVersion);
        Assert.Equal("c2", kid.Context.Output<string>());
    }

    [Fact]
    public async Task Versions_ClaimsTakeOnlyTheVersionsAsked_AndJobsWithNoVersionForAnyVersion()
    {
        var flow = NewFlow("claim");
        var v1 = await Store.CreateJobAsync(JobOf(flow) with { FlowVersion = "1" });
        var unversioned = await CreateAsync(flow, createdAt: T0 + 1);
        string[] onlyV2 = [FlowVersionKey.Of(flow, "2")];

        var byV2 = await Store.ClaimAsync(new ClaimRequest("v2-worker", 10, T0, T0 + Lease, [flow]) { FlowVersions = onlyV2 });
        Assert.Equal([unversioned], byV2.Select(j => j.Id));
        Assert.Equal(JobStatus.Pending, (await GetAsync(v1)).Status);

        var byV1 = Assert.Single(await Store.ClaimAsync(new ClaimRequest("v1-worker", 10, T0, T0 + Lease, [flow]) { FlowVersions = [FlowVersionKey.Of(flow, "1")] }));
        Assert.Equal(v1, byV1.Id);
        Assert.Equal("1", byV1.FlowVersion);

        // Its lease expires: a v2 worker does not take it over either; a v1 worker does.
        var later = T0 + Lease + 1;
        Assert.DoesNotContain(await Store.ClaimAsync(new ClaimRequest("v2-worker", 10, later, later + Lease, [flow]) { FlowVersions = onlyV2 }), j => j.Id == v1);
        Assert.Equal(v1, Assert.Single(await Store.ClaimAsync(new ClaimRequest("v1-again", 10, later, later + Lease, [flow]) { FlowVersions = [FlowVersionKey.Of(flow, "1")] }), j => j.Id == v1).Id);
    }

    [Fact]
    public async Task Versions_ASchedulerWithOnlyV2_NeverRunsAV1Job_AndListsItUnserved()
    {
        var flow = NewFlow("v2-only");
        var scheduler = NewScheduler().AddFlow(flow, Tagged("v2"), new FlowOptions { Version = "2" });
        var v1 = await Store.CreateJobAsync(JobOf(flow, createdAt: T0) with { FlowVersion = "1" });
        await scheduler.StartAsync();

        // Created after the v1 job, at the same priority: a claim that could take the v1 job would have taken it first.
        var v2 = await scheduler.ScheduleAsync(flow, null, new ScheduleOptions { Delay = TimeSpan.FromMilliseconds(1) });
        Assert.Equal("v2", (await scheduler.WaitForJobAsync(v2, JobTimeout)).Context.Output<string>());

        var stuck = await scheduler.GetJobAsync(v1);
        Assert.Equal(JobStatus.Pending, stuck.Status);
        Assert.Equal(0, stuck.Attempts);
        var unserved = await scheduler.ListUnservedJobsAsync();
        Assert.Equal([v1], unserved.Where(j => j.Flow == flow).Select(j => j.Id));
        Assert.Equal("1", unserved.Single(j => j.Id == v1).FlowVersion);

        // The store's filter: a pair leaves out its own jobs and jobs with no version of its flow, not other versions.
        var unversioned = await CreateAsync(flow, runAt: T0 + 365L * 24 * 3600 * 1000);
        var listed = await Store.ListJobsAsync(new JobQuery { Status = JobStatus.Pending, ExcludeFlowVersions = [new FlowVersion(flow, "2")], Limit = 10_000 });
        Assert.Contains(listed, j => j.Id == v1);
        Assert.DoesNotContain(listed, j => j.Id == unversioned);
        var served = await Store.ListJobsAsync(new JobQuery { Status = JobStatus.Pending, ExcludeFlowVersions = [new FlowVersion(flow, "1")], Limit = 10_000 });
        Assert.DoesNotContain(served, j => j.Id == v1 || j.Id == unversioned);
    }

    [Fact]
    public async Task Versions_AStateMissingFromTheJobsVersion_FailsTheJob_NamingTheStateAndTheVersions()
    {
        var flow = NewFlow("missing");
        var scheduler = NewScheduler()
            .AddFlow(flow, Tagged("v1"), new FlowOptions { Version = "1" })
            .AddFlow(flow, Tagged("v2", extraState: true), new FlowOptions { Version = "2" });
        var gone = NewId();
        await Store.CreateJobAsync(new NewJob(gone, flow, ContextJson(gone, "Gone"), 0, T0, T0, null, null, null) { FlowVersion = "1" });
        var onlyInV2 = NewId();
        await Store.CreateJobAsync(new NewJob(onlyInV2, flow, ContextJson(onlyInV2, "Extra"), 0, T0, T0, null, null, null) { FlowVersion = "1" });
        await scheduler.StartAsync();

        var failed = await scheduler.WaitForJobAsync(gone, JobTimeout);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("State 'Gone'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("version '1'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("'1', '2'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("none of them has it", failed.Error, StringComparison.Ordinal);

        var other = await scheduler.WaitForJobAsync(onlyInV2, JobTimeout);
        Assert.Equal(JobStatus.Failed, other.Status);
        Assert.Contains("State 'Extra'", other.Error, StringComparison.Ordinal);
        Assert.Contains("it is a state of '2' only", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_BadVersionsAndDuplicates_AreRefused()
    {
        var flow = NewFlow("bad");
        var scheduler = NewScheduler();
        var v1 = Tagged("v1");
        foreach (var bad in new[] { string.Empty, "  ", "a\u001fb", "nul\0", new string('x', 201) })
        {
            var error = Assert.Throws<ArgumentException>(() => scheduler.AddFlow(flow, v1, new FlowOptions { Version = bad }));
            Assert.Contains("FlowOptions.Version", error.Message, StringComparison.Ordinal);
        }

        scheduler.AddFlow(flow, v1, new FlowOptions { Version = "1" });
        scheduler.AddFlow(flow, v1, new FlowOptions { Version = "1" }); // the identical flow again: fine
        var conflict = Assert.Throws<FlowVersionConflictException>(() => scheduler.AddFlow(flow, Tagged("v1 changed"), new FlowOptions { Version = "1" }));
        Assert.Equal(flow, conflict.Flow);
        Assert.Equal("1", conflict.Version);
        Assert.Contains($"Flow '{flow}' already has a version '1'", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(["1"], scheduler.FlowVersions[flow]);
    }

    /// <summary>One state <c>A</c> ending with <paramref name="tag"/> as output (and a state <c>Extra</c> when asked: another shape).</summary>
    protected static StateFlow Tagged(string tag, bool extraState = false) => new(
        extraState
            ?
            [
                new State("A") { OnState = async ctx => ctx.Output(JsonValue.Create(tag)), Router = Router.Next("Extra") },
                new State("Extra") { OnState = async ctx => ctx, Router = Router.End },
            ]
            : [new State("A") { OnState = async ctx => ctx.Output(JsonValue.Create(tag)), Router = Router.End }]);
}
