using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Envoy.Runtime.Storage;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// One job's commit that PostgreSQL refuses fails that job alone, at once, with the server's reason; the commits grouped with it
/// go through (issue 12, finding 3: a string with U+0000, which <c>jsonb</c> cannot hold, failed whole commit batches, so
/// unrelated jobs ran their steps again, and the bad job was taken over after every lease expiry, forever).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class PoisonCommitTests(PostgresFixture postgres)
{
    private const long T0 = TestJobs.T0;
    private const long Lease = 30_000;
    private const string Owner = "worker-1";

    /// <summary>A number PostgreSQL's <c>numeric</c> (and so <c>jsonb</c>) cannot hold, that JSON and SQLite take as it is.</summary>
    private const string HugeNumber = "1e200000";

    [Fact]
    public async Task CommitBatch_WithAValueJsonbRefuses_FailsOnlyThatCommit_WithTheServersReason_AndAppliesTheOthers()
    {
        var flow = "poison-" + Guid.NewGuid().ToString("N")[..8];
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = await postgres.CreateFreshDatabaseAsync() });
        await store.InitializeAsync();
        for (var i = 0; i < 6; i++)
        {
            await store.CreateJobAsync(TestJobs.JobOf(flow));
        }

        var claimed = (await store.ClaimAsync(new ClaimRequest(Owner, 6, T0, T0 + Lease, [flow]))).OrderBy(j => j.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(6, claimed.Count);
        // Through the store's port, below the runtime's own check: the store must isolate the commit by itself.
        var nul = new StateContext("B", "a\0b") { JobId = claimed[1].Id }.Serialize();
        var huge = new StateContext("B", JsonNode.Parse(HugeNumber)) { JobId = claimed[4].Id }.Serialize();
        var commits = claimed.Select(job => DoneOf(job)).ToList();
        commits[1] = commits[1] with { ContextJson = nul };
        commits[3] = commits[3] with { Status = JobStatus.Blocking, Waits = [new NewWait("hook", "external")] };
        commits[4] = commits[4] with { ContextJson = huge };

        var results = await store.CommitStepsAsync(commits);

        Assert.Equal([true, false, true, true, false, true], results.Select(r => r.Applied));
        Assert.Contains("22P05", results[1].RefusedReason, StringComparison.Ordinal);
        Assert.Contains("Unicode", results[1].RefusedReason, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL refused it", results[4].RefusedReason, StringComparison.Ordinal);
        foreach (var i in new[] { 1, 4 })
        {
            var job = (await store.GetJobAsync(claimed[i].Id))!;
            Assert.Equal(JobStatus.Running, job.Status);
            Assert.Equal(claimed[i].Version, job.Version);
        }

        Assert.Equal(JobStatus.Blocking, (await store.GetJobAsync(claimed[3].Id))!.Status);
        foreach (var i in new[] { 0, 2, 5 })
        {
            Assert.Equal(JobStatus.Done, (await store.GetJobAsync(claimed[i].Id))!.Status);
        }
    }

    [Fact]
    public async Task Scheduler_FewPoisonedJobsAmongMany_FailAtOnceWithTheReason_AndEveryOtherStepRunsExactlyOnce()
    {
        const int Jobs = 100;
        var flow = "mixed-" + Guid.NewGuid().ToString("N")[..8];
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = await postgres.CreateFreshDatabaseAsync() });
        await store.InitializeAsync();
        await using var scheduler = new Scheduler(store, new SchedulerConfig { Concurrency = 16, MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10), PollInterval = TimeSpan.FromMilliseconds(100) }, ownsStore: false);
        var runs = new ConcurrentDictionary<string, int>();
        scheduler.AddFlow(flow, new StateFlow(
        [
            new State("A") { OnState = async ctx => Count(ctx, runs).Output(ctx.Input<int>()), Router = Router.Next("B") },
            new State("B")
            {
                OnState = async ctx =>
                {
                    Count(ctx, runs);
                    var n = ctx.Input<int>();
                    // Four write a string with U+0000 (refused before any store: the runtime's check); four a number only
                    // PostgreSQL refuses (the store's own isolation of the batch).
                    return n % 25 == 3 ? ctx.Set("bad", "x\0y") : n % 25 == 7 ? ctx.Set("bad", JsonNode.Parse(HugeNumber)) : ctx.Output(n * 2);
                },
                Router = Router.Next("C"),
            },
            new State("C") { OnState = async ctx => Count(ctx, runs).Output(ctx.Output<int>() + 1), Router = Router.End },
        ]));
        await scheduler.StartAsync();

        var ids = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => scheduler.ScheduleAsync(flow, i)));
        var jobs = await Task.WhenAll(ids.Select(id => scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(60))));

        for (var i = 0; i < Jobs; i++)
        {
            var job = jobs[i];
            var history = await scheduler.GetJobHistoryAsync(job.Id);
            Assert.True(history.Count(e => e.Kind == JobEventKind.Claimed) == 1, $"Job {i} was claimed {history.Count(e => e.Kind == JobEventKind.Claimed)} times.");
            Assert.DoesNotContain(history, e => e.Kind == JobEventKind.LeaseExpired);
            if (i % 25 is 3 or 7)
            {
                Assert.True(job.Status == JobStatus.Failed, $"Poisoned job {i} is {job.Status}.");
                Assert.Contains(i % 25 == 3 ? "U+0000" : "PostgreSQL refused it", job.Error, StringComparison.Ordinal);
                Assert.Equal(0, job.Retries);
                Assert.Equal("B", job.Context.State);
                Assert.False(runs.ContainsKey(job.Id + ":C"));
            }
            else
            {
                Assert.True(job.Status == JobStatus.Done, $"Job {i} is {job.Status}: {job.Error}");
                Assert.Equal((i * 2) + 1, job.Context.Output<int>());
                Assert.Equal(1, runs[job.Id + ":C"]);
            }

            Assert.True(runs[job.Id + ":A"] == 1 && runs[job.Id + ":B"] == 1, $"Job {i} ran step A {runs[job.Id + ":A"]} and B {runs[job.Id + ":B"]} times.");
        }
    }

    private static StateContext Count(StateContext ctx, ConcurrentDictionary<string, int> runs)
    {
        runs.AddOrUpdate(ctx.JobId + ":" + ctx.State, 1, (_, n) => n + 1);
        return ctx;
    }

    private static StepCommit DoneOf(JobRecord job) => new()
    {
        JobId = job.Id,
        Owner = Owner,
        ExpectedVersion = job.Version,
        Status = JobStatus.Done,
        ContextJson = new StateContext("B", 1) { JobId = job.Id }.Serialize(),
        NowMs = T0 + 10,
        Events = [new JobEvent(job.Id, DateTimeOffset.FromUnixTimeMilliseconds(T0 + 10), JobEventKind.StepCompleted, "A", 1, JobStatus.Running, JobStatus.Done)],
    };
}
