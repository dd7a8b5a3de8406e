using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// One job never harms another: a commit the store refuses fails that commit alone; a value no store accepts (U+0000 in a
/// string, a context over <see cref="SchedulerOptions.MaxContextBytes"/>) is refused the same way on every store; and a job taken
/// over <see cref="SchedulerOptions.MaxAttempts"/> times without a commit fails instead of looping.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Commit_RefusedByTheStore_FailsThatCommitAlone_AndTheOthersOfTheBatchApply()
    {
        var flow = NewFlow();
        var existing = await CreateAsync(NewFlow("other"));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i));
        }

        var claimed = (await ClaimAsync(flow, max: 3)).OrderBy(j => ids.IndexOf(j.Id)).ToList();
        var before = await GetAsync(ids[1]);
        // A child whose id is taken: every store refuses the insert (a unique key).
        var broken = StepOf(claimed[1], JobStatus.Blocking) with
        {
            Waits = [new NewWait("dup-child", "spawn")],
            Children = [JobOf(flow, existing, parentId: ids[1], parentWaitId: "dup-child")],
        };

        var results = await Store.CommitStepsAsync([StepOf(claimed[0], JobStatus.Done), broken, StepOf(claimed[2], JobStatus.Done)]);

        Assert.Equal(3, results.Count);
        Assert.True(results[0].Applied);
        Assert.True(results[1].IsRefused, "The commit with a taken child id was not refused.");
        Assert.False(results[1].Applied);
        Assert.False(string.IsNullOrWhiteSpace(results[1].RefusedReason));
        Assert.True(results[2].Applied);
        Assert.Equal(JobStatus.Done, (await GetAsync(ids[0])).Status);
        Assert.Equal(JobStatus.Done, (await GetAsync(ids[2])).Status);
        AssertUnchanged(before, await GetAsync(ids[1]));
        Assert.Null((await GetAsync(existing)).ParentId);
        Assert.True(await CommitOneAsync(StepOf(claimed[1], JobStatus.Failed) with { Error = results[1].RefusedReason }));
        Assert.Equal(JobStatus.Failed, (await GetAsync(ids[1])).Status);
    }

    [Fact]
    public async Task Commit_RefusedByTheStore_ThroughCommitAsync_IsATypedErrorNamingTheJob()
    {
        var flow = NewFlow();
        var existing = await CreateAsync(NewFlow("other"));
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        var broken = StepOf(claimed, JobStatus.Blocking) with
        {
            Waits = [new NewWait("dup-child", "spawn")],
            Children = [JobOf(flow, existing, parentId: id, parentWaitId: "dup-child")],
        };

        var error = await Assert.ThrowsAsync<CommitRefusedException>(() => Store.CommitAsync([broken]));

        Assert.Equal(id, error.JobId);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    public async Task Takeovers_CountLeaseExpiriesSinceTheLastCommit_AndACommitOrRetryResetsThem()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var first = await ClaimOneAsync(flow, id, owner: "dead-1", leaseUntil: T0 + 10);
        Assert.Equal(0, first.Takeovers);

        // Claimed again after its lease expired: one takeover.
        var second = await ClaimOneAsync(flow, id, owner: "dead-2", now: T0 + 20, leaseUntil: T0 + 30);
        Assert.Equal(1, second.Takeovers);

        // Put back to pending by the lease sweep, then claimed: one more takeover, counted once.
        Assert.Contains(id, (await Store.RunMaintenanceAsync(T0, T0 + 40, 100)).ExpiredLeases);
        Assert.Equal(2, (await GetAsync(id)).Takeovers);
        var third = await ClaimOneAsync(flow, id, now: T0 + 50, leaseUntil: T0 + 50 + Lease);
        Assert.Equal(2, third.Takeovers);

        // A commit starts the count over; a claim of a pending job is no takeover.
        Assert.True(await CommitOneAsync(StepOf(third, JobStatus.Pending, now: T0 + 60) with { RunAtMs = T0 + 60 }));
        Assert.Equal(0, (await GetAsync(id)).Takeovers);
        var fourth = await ClaimOneAsync(flow, id, owner: "dead-3", now: T0 + 70, leaseUntil: T0 + 80);
        Assert.Equal(0, fourth.Takeovers);
        var fifth = await ClaimOneAsync(flow, id, now: T0 + 90, leaseUntil: T0 + 90 + Lease);
        Assert.Equal(1, fifth.Takeovers);

        // A failed job retried by hand starts over too.
        Assert.True(await CommitOneAsync(StepOf(fifth, JobStatus.Failed, now: T0 + 100) with { Error = "broken" }));
        Assert.Equal(StoreOutcome.Ok, (await Store.RetryJobAsync(id, T0 + 110)).Outcome);
        Assert.Equal(0, (await GetAsync(id)).Takeovers);
    }

    [Fact]
    public async Task Scheduler_JobTakenOverMaxAttemptsTimes_FailsWithoutRunningItsStepAgain_AndResolvesItsParent()
    {
        var scheduler = NewScheduler(configure: c => c.MaxAttempts = 3);
        var (parentFlow, flow) = (NewFlow("parent"), NewFlow("crashing"));
        var runs = 0;
        scheduler.AddFlow(flow, new StateFlow([new State("A") { OnState = async ctx => { Interlocked.Increment(ref runs); return ctx; } }]));
        var parentId = await CreateAsync(parentFlow);
        var parent = await ClaimOneAsync(parentFlow, parentId, owner: "parent-worker");
        var children = new[] { ("w_spawn_crash", NewId()) };
        Assert.True(await CommitOneAsync(StepOf(parent, JobStatus.Blocking, owner: "parent-worker") with
        {
            Children = [JobOf(flow, children[0].Item2, parentId: parentId, parentWaitId: children[0].Item1)],
            Waits = [new NewWait(children[0].Item1, "spawn")],
        }));
        var id = children[0].Item2;

        // Three workers took the child and died in its step (their leases ran out), the last two taking it over.
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - 10_000;
        for (var i = 0; i < 3; i++)
        {
            var dead = await ClaimOneAsync(flow, id, owner: "dead-" + i, now: now + (i * 10), leaseUntil: now + (i * 10) + 5);
            Assert.Equal(i, dead.Takeovers);
        }

        await scheduler.StartAsync();
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);

        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("taken over 3 times without a commit", job.Error, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts is 3", job.Error, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref runs));
        Assert.Equal(0, job.Retries);
        var resolved = ResolutionOf(await GetAsync(parentId), children[0].Item1);
        Assert.Equal(WaitResolutionKind.Error, resolved.Kind);
        Assert.Contains("taken over 3 times", resolved.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scheduler_InputWithNul_OrOverMaxContextBytes_IsATypedError_AndNothingIsStored()
    {
        var scheduler = NewScheduler(configure: c => c.MaxContextBytes = 2_000);
        var flow = NewFlow("limited");
        scheduler.AddFlow(flow, Chain(null));
        await scheduler.StartAsync();

        var nul = await Assert.ThrowsAsync<ContextValueException>(() => scheduler.ScheduleAsync(flow, new { name = "a\0b" }));
        var large = await Assert.ThrowsAsync<ContextTooLargeException>(() => scheduler.ScheduleAsync(flow, new string('x', 3_000)));
        var wideChars = await Assert.ThrowsAsync<ContextTooLargeException>(() => scheduler.ScheduleAsync(flow, new string('é', 1_000)));

        Assert.Equal("input", nul.Path);
        Assert.Contains("U+0000", nul.Message, StringComparison.Ordinal);
        Assert.Equal(2_000, large.MaxBytes);
        Assert.True(large.Bytes > 3_000, $"Bytes was {large.Bytes}.");
        Assert.Contains("MaxContextBytes", large.Message, StringComparison.Ordinal);
        Assert.True(wideChars.Bytes > 2_000, $"Bytes was {wideChars.Bytes}.");
        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = flow }));
        var fine = await scheduler.ScheduleAsync(flow, 1);
        Assert.Equal(JobStatus.Done, (await scheduler.WaitForJobAsync(fine, JobTimeout)).Status);

        // A backslash followed by the text u0000 is no NUL.
        var escaped = await scheduler.ScheduleAsync(NewFlowWithEcho(scheduler), "\\u0000");
        Assert.Equal("\\u0000", (await scheduler.WaitForJobAsync(escaped, JobTimeout)).Context.Output<string>());
    }

    [Fact]
    public async Task Scheduler_ResolveWithAResultOverMaxContextBytes_OrWithNul_IsATypedError_AndTheWaitStaysPending()
    {
        var scheduler = NewScheduler(configure: c => c.MaxContextBytes = 2_000);
        var flow = NewFlow("hook");
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("Hook")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("hook", "webhook")),
                OnState = async ctx => ctx.Output(ctx.GetWait("hook")!.Output!.GetValue<string>()),
            },
        ]));
        await scheduler.StartAsync();
        var id = await scheduler.ScheduleAsync(flow);
        await EventuallyAsync(async () => (await scheduler.GetJobAsync(id)).Status == JobStatus.Blocking, "the job blocks on its hook");

        var large = await Assert.ThrowsAsync<ContextTooLargeException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", new string('x', 3_000)));
        var nul = await Assert.ThrowsAsync<ContextValueException>(() => scheduler.ResolveBlockingJobAsync(id, "hook", "a\0b"));

        Assert.Equal("result", large.Path);
        Assert.Equal("result", nul.Path);
        Assert.Equal(JobStatus.Blocking, (await scheduler.GetJobAsync(id)).Status);
        await scheduler.ResolveBlockingJobAsync(id, "hook", "ok");
        Assert.Equal("ok", (await scheduler.WaitForJobAsync(id, JobTimeout)).Context.Output<string>());
    }

    [Fact]
    public async Task Scheduler_StepWritingNulOrTooMuch_FailsItsJobAtOnce_WithTheReason_AndTheOtherJobsFinish()
    {
        var scheduler = NewScheduler(configure: c => c.MaxContextBytes = 4_000);
        var (flow, childFlow) = (NewFlow("poison"), NewFlow("child"));
        var runs = new ConcurrentDictionary<string, int>();
        scheduler.AddFlow(childFlow, Chain(null));
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("A")
            {
                OnState = async ctx =>
                {
                    runs.AddOrUpdate(ctx.JobId + ":A", 1, (_, n) => n + 1);
                    switch (ctx.Input<string>())
                    {
                        case "nul": ctx.Set("name", "a\0b"); break;
                        case "nul-key": ctx.Set("data", new JsonObject { ["k\0"] = 1 }); break;
                        case "large": ctx.Set("blob", new string('x', 5_000)); break;
                        case "child": ctx.Spawn(childFlow, "c\0", "kid"); break;
                        default: ctx.Set("name", "fine"); break;
                    }

                    return ctx;
                },
                Router = Router.Next("B"),
            },
            new State("B") { OnState = async ctx => { runs.AddOrUpdate(ctx.JobId + ":B", 1, (_, n) => n + 1); return ctx.Output(ctx.Get<string>("name")); }, Router = Router.End },
        ]));
        await scheduler.StartAsync();
        var inputs = new[] { "good", "nul", "good", "nul-key", "good", "large", "good", "child", "good" };

        var ids = new List<string>();
        foreach (var input in inputs)
        {
            ids.Add(await scheduler.ScheduleAsync(flow, input));
        }

        var jobs = await Task.WhenAll(ids.Select(id => scheduler.WaitForJobAsync(id, JobTimeout)));

        for (var i = 0; i < inputs.Length; i++)
        {
            var job = jobs[i];
            if (inputs[i] == "good")
            {
                Assert.True(job.Status == JobStatus.Done, $"Job {i} is {job.Status}: {job.Error}");
                Assert.Equal("fine", job.Context.Output<string>());
                Assert.Equal(1, runs[job.Id + ":B"]);
            }
            else
            {
                Assert.True(job.Status == JobStatus.Failed, $"Job {i} ({inputs[i]}) is {job.Status}.");
                Assert.Contains(inputs[i] == "large" ? "MaxContextBytes (4,000)" : "U+0000", job.Error, StringComparison.Ordinal);
                Assert.Equal(0, job.Retries);
                Assert.Equal("A", job.Context.State);
                Assert.Null(job.Context.Get<string>("name"));
                Assert.False(runs.ContainsKey(job.Id + ":B"));
                var history = await scheduler.GetJobHistoryAsync(job.Id);
                Assert.Single(history, e => e.Kind == JobEventKind.Claimed);
                Assert.Equal(JobStatus.Failed, Assert.Single(history, e => e.Kind == JobEventKind.StepFailed).To);
            }

            Assert.Equal(1, runs[job.Id + ":A"]);
        }

        Assert.Empty(await scheduler.ListJobsAsync(new JobQuery { Flow = childFlow }));
    }

    /// <summary>Registers a one-step flow that outputs its input, and returns its name.</summary>
    private static string NewFlowWithEcho(Scheduler scheduler)
    {
        var flow = NewFlow("echo");
        scheduler.AddFlow(flow, new StateFlow([new State("Echo") { OnState = async ctx => ctx.Output(ctx.Input<string>()) }]));
        return flow;
    }
}
