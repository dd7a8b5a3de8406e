using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Retention (issue 17): the purge of finished jobs past their retention (<see cref="IJobCoordinationStore.PurgeJobsAsync"/>,
/// run by the maintenance leader's <see cref="RetentionPurge"/>), and the failure of jobs past their flow's MaxJobAge. Store
/// calls take their time as a parameter; <see cref="RetentionPurge"/> runs on a <see cref="FakeTimeProvider"/>.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task Purge_FinishedJobsPastRetention_AreDeletedWithHistoryWaitsAndEscalations_YoungOnesKept()
    {
        var flow = NewFlow("purged");
        var (oldId, escalationId) = await EscalateAsync(flow, "ann", T0);
        Assert.Equal(StoreOutcome.Ok, (await Store.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", "bob", T0 + 50))).Outcome);
        await FinishByCommitAsync(flow, oldId, JobStatus.Done, now: T0 + 100);
        var failed = await CreateAsync(flow);
        await FinishByCommitAsync(flow, failed, JobStatus.Failed, now: T0 + 200);
        var young = await CreateAsync(flow, runAt: T0 + 5_000, createdAt: T0 + 5_000);
        await FinishByCommitAsync(flow, young, JobStatus.Done, now: T0 + 10_000);
        var unfinished = await CreateAsync(flow);
        var history = (await HistoryAsync(oldId)).Count;

        var result = await Store.PurgeJobsAsync(new RetentionCutoffs(T0 + 5_000, new Dictionary<string, long?>()), 100);

        Assert.Equal(2, result.Jobs);
        Assert.Equal(1, result.Escalations);
        Assert.True(result.Waits >= 1, $"The old job's wait was not deleted ({result.Waits}).");
        Assert.True(result.Events >= history + 1, $"{result.Events} history entries deleted, expected at least {history + 1}.");
        Assert.Null(await Store.GetJobAsync(oldId));
        Assert.Null(await Store.GetJobAsync(failed));
        Assert.True((await Store.GetHistoryAsync(oldId)) is null or { Count: 0 }, "The deleted job's history is still there.");
        Assert.Null(await Store.GetEscalationAsync(escalationId));
        Assert.Equal(JobStatus.Done, (await GetAsync(young)).Status);
        Assert.NotEmpty(await HistoryAsync(young));
        Assert.Equal(JobStatus.Pending, (await GetAsync(unfinished)).Status);
        Assert.Equal(0, (await Store.PurgeJobsAsync(new RetentionCutoffs(T0 + 5_000, new Dictionary<string, long?>()), 100)).Jobs);
    }

    [Fact]
    public async Task Purge_NullRetention_KeepsEveryFinishedJob()
    {
        var flow = NewFlow("forever");
        var id = await CreateAsync(flow);
        await FinishByCommitAsync(flow, id, JobStatus.Done, now: T0 + 100);

        var byStore = await Store.PurgeJobsAsync(new RetentionCutoffs(null, new Dictionary<string, long?> { [NewFlow()] = null }), 100);
        var byRuntime = await NewRetention(T0 + 365L * 24 * 3_600_000, c => c.Retention = null).Purge.RunOnceAsync(() => true, CancellationToken.None);

        Assert.Equal(PurgeResult.None, byStore);
        Assert.Equal(PurgeResult.None, byRuntime);
        Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task Purge_PerFlowRetention_OverridesTheDefault_BothWays()
    {
        var (shorter, forever, longer, plain) = (NewFlow("shorter"), NewFlow("forever"), NewFlow("longer"), NewFlow("plain"));
        var ids = new Dictionary<string, string>();
        foreach (var flow in new[] { shorter, forever, longer, plain })
        {
            ids[flow] = await CreateAsync(flow);
            await FinishByCommitAsync(flow, ids[flow], JobStatus.Done, now: T0 + 100);
        }

        // Two hours later: the default (one hour) deletes plain; ten minutes deletes shorter; a day and forever keep theirs.
        var retention = NewRetention(T0 + 101 + (long)(2 * Hour).TotalMilliseconds, c => c.Retention = Hour);
        retention.Flows.Add(shorter, OneStep(), new FlowOptions { Retention = TimeSpan.FromMinutes(10) });
        retention.Flows.Add(forever, OneStep(), new FlowOptions { Retention = Timeout.InfiniteTimeSpan });
        retention.Flows.Add(longer, OneStep(), new FlowOptions { Retention = TimeSpan.FromDays(1) });
        retention.Flows.Add(plain, OneStep(), new FlowOptions());

        var result = await retention.Purge.RunOnceAsync(() => true, CancellationToken.None);

        Assert.Equal(2, result.Jobs);
        Assert.Null(await Store.GetJobAsync(ids[shorter]));
        Assert.Null(await Store.GetJobAsync(ids[plain]));
        Assert.Equal(JobStatus.Done, (await GetAsync(ids[forever])).Status);
        Assert.Equal(JobStatus.Done, (await GetAsync(ids[longer])).Status);
    }

    [Fact]
    public async Task Purge_FinishedChildOfAnUnfinishedParent_IsKept_ThenDeletedBottomUpOnceTheParentEndedAndAged()
    {
        var (parentFlow, childFlow) = (NewFlow("parent"), NewFlow("child"));
        var (parentId, children) = await SpawnAsync(parentFlow, childFlow, 1, now: T0);
        var childId = children[0].ChildId;
        await FinishByCommitAsync(childFlow, childId, JobStatus.Done, now: T0 + 100);
        Assert.Equal(JobStatus.Pending, (await GetAsync(parentId)).Status);
        var all = new RetentionCutoffs(T0 + 100_000, new Dictionary<string, long?>());

        Assert.Equal(0, (await Store.PurgeJobsAsync(all, 100)).Jobs);
        Assert.Equal(JobStatus.Done, (await GetAsync(childId)).Status);

        await FinishByCommitAsync(parentFlow, parentId, JobStatus.Done, now: T0 + 1_000);

        // The parent ended but is young: its child stays with it.
        Assert.Equal(0, (await Store.PurgeJobsAsync(new RetentionCutoffs(T0 + 500, new Dictionary<string, long?>()), 100)).Jobs);
        Assert.Equal(JobStatus.Done, (await GetAsync(childId)).Status);

        // Both aged: the child goes first, then the parent.
        Assert.Equal(1, (await Store.PurgeJobsAsync(all, 100)).Jobs);
        Assert.Null(await Store.GetJobAsync(childId));
        Assert.Equal(JobStatus.Done, (await GetAsync(parentId)).Status);
        Assert.Equal(1, (await Store.PurgeJobsAsync(all, 100)).Jobs);
        Assert.Null(await Store.GetJobAsync(parentId));
    }

    [Fact]
    public async Task Purge_MoreJobsThanABatch_AreDeletedInSeveralBatches()
    {
        var flow = NewFlow("batches");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await CreateAsync(flow));
            await FinishByCommitAsync(flow, ids[^1], JobStatus.Done, now: T0 + 100 + (i * 10));
        }

        var cutoffs = new RetentionCutoffs(null, new Dictionary<string, long?> { [flow] = T0 + 10_000 });
        Assert.Equal(3, (await Store.PurgeJobsAsync(cutoffs, 3)).Jobs);
        Assert.Null(await Store.GetJobAsync(ids[0]));
        Assert.NotNull(await Store.GetJobAsync(ids[6]));
        Assert.Equal(3, (await Store.PurgeJobsAsync(cutoffs, 3)).Jobs);
        Assert.Equal(1, (await Store.PurgeJobsAsync(cutoffs, 3)).Jobs);
        Assert.Equal(0, (await Store.PurgeJobsAsync(cutoffs, 3)).Jobs);

        // The runtime's round purges batch after batch until one comes back short.
        var more = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            more.Add(await CreateAsync(flow));
            await FinishByCommitAsync(flow, more[^1], JobStatus.Cancelled, now: T0 + 100);
        }

        var retention = NewRetention(T0 + 10_000, c => c.Retention = TimeSpan.FromSeconds(1), batchSize: 2);
        Assert.Equal(5, (await retention.Purge.RunOnceAsync(() => true, CancellationToken.None)).Jobs);
        foreach (var id in more)
        {
            Assert.Null(await Store.GetJobAsync(id));
        }
    }

    [Fact]
    public async Task MaxJobAge_FailsPendingBlockingAndRunningJobs_WithAnErrorSayingSo_AndRefusesTheRunningStepsCommit()
    {
        var flow = NewFlow("aged");
        var pending = await CreateAsync(flow, runAt: T0 + (long)Hour.TotalMilliseconds, createdAt: T0);
        var (blocking, escalationId) = await EscalateAsync(flow, "ann", T0);
        var runningId = await CreateAsync(flow, createdAt: T0);
        var running = await ClaimOneAsync(flow, runningId, now: T0);
        var young = await CreateAsync(flow, runAt: T0 + (long)Hour.TotalMilliseconds, createdAt: T0 + 60_000);
        var now = T0 + (long)Hour.TotalMilliseconds + 1;
        var retention = NewRetention(now, c => c.Retention = null);
        retention.Flows.Add(flow, OneStep(), new FlowOptions { MaxJobAge = Hour });

        await retention.Purge.RunOnceAsync(() => true, CancellationToken.None);

        var expected = "job exceeded MaxJobAge 01:00:00 (created " + At(T0).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture) + ")";
        foreach (var id in new[] { pending, blocking, runningId })
        {
            var job = await GetAsync(id);
            Assert.Equal(JobStatus.Failed, job.Status);
            Assert.Equal(expected, job.Error);
            Assert.Contains(await HistoryAsync(id), e => e.Kind == JobEventKind.Failed && e.To == JobStatus.Failed && e.Error == expected);
        }

        Assert.Equal(EscalationStatus.Cancelled, (await Store.GetEscalationAsync(escalationId))!.Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(young)).Status);
        Assert.False(await CommitOneAsync(StepOf(running, JobStatus.Done, now: now + 10)), "The running step's late commit must be refused.");
        Assert.Equal(JobStatus.Failed, (await GetAsync(runningId)).Status);
        Assert.Empty(await Store.FindAgedJobsAsync(flow, now - (long)Hour.TotalMilliseconds, 100));
        Assert.Equal(young, Assert.Single(await Store.FindAgedJobsAsync(flow, now, 100)).Id);
    }

    [Fact]
    public async Task MaxJobAge_OfAChild_ResolvesTheParentsWait_AndOfAParent_CancelsItsChildren()
    {
        var (parentFlow, agedChildFlow) = (NewFlow("parent"), NewFlow("agedchild"));
        var (parentId, children) = await SpawnAsync(parentFlow, agedChildFlow, 1, now: T0);
        var (agedParentFlow, childFlow) = (NewFlow("agedparent"), NewFlow("child"));
        var (agedParentId, theirChildren) = await SpawnAsync(agedParentFlow, childFlow, 2, now: T0);
        var now = T0 + (long)Hour.TotalMilliseconds + 10;
        var retention = NewRetention(now, c => c.Retention = null);
        retention.Flows.Add(agedChildFlow, OneStep(), new FlowOptions { MaxJobAge = Hour });
        retention.Flows.Add(agedParentFlow, OneStep(), new FlowOptions { MaxJobAge = Hour });

        await retention.Purge.RunOnceAsync(() => true, CancellationToken.None);

        Assert.Equal(JobStatus.Failed, (await GetAsync(children[0].ChildId)).Status);
        var parent = await GetAsync(parentId);
        Assert.Equal(JobStatus.Pending, parent.Status);
        var resolution = ResolutionOf(parent, children[0].WaitId);
        Assert.Equal(WaitResolutionKind.Error, resolution.Kind);
        Assert.Contains("MaxJobAge", resolution.Error, StringComparison.Ordinal);

        Assert.Equal(JobStatus.Failed, (await GetAsync(agedParentId)).Status);
        foreach (var (_, childId) in theirChildren)
        {
            var child = await GetAsync(childId);
            Assert.Equal(JobStatus.Cancelled, child.Status);
            Assert.Contains(agedParentId, child.Error, StringComparison.Ordinal);
        }
    }

    private static StateFlow OneStep() => new([new State("A") { OnState = ctx => Task.FromResult(ctx), Router = Router.End }]);

    private (RetentionPurge Purge, FlowRegistry Flows) NewRetention(long nowMs, Action<SchedulerOptions> configure, FlowRegistry? flows = null, int batchSize = 500)
    {
        var config = new SchedulerOptions();
        configure(config);
        flows ??= new FlowRegistry();
        var purge = new RetentionPurge(Store, flows, config, new FakeTimeProvider(At(nowMs)), NullLogger.Instance) { BatchSize = batchSize, MinPause = TimeSpan.Zero };
        return (DisposeAfterTest(purge), flows);
    }
}
