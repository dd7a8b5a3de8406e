using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// Timer starts (issue 17, the resume path under a burst): the scheduler firing a batch of timers starts the jobs it resumes
/// in the same transaction, for itself, up to its free slots (<see cref="IJobCoordinationStore.ResolveDueTimersAsync(long, int, ClaimRequest?, CancellationToken)"/>),
/// by the rule of <c>JobStateMachine.ChooseTimerStarts</c>: exactly once, never a cancelled job, never a limited job, only the
/// flows and versions it has.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private const string Firer = "firer";

    [Fact]
    public async Task TimerStart_FiredJobs_StartRunningForTheFirer_WithTheirResolution_OnceOnly()
    {
        var flow = NewFlow();
        var first = await BlockOnTimerAsync(JobOf(flow), dueAt: T0 + 1_000);
        var second = await BlockOnTimerAsync(JobOf(flow), dueAt: T0 + 1_001);

        var fired = await Store.ResolveDueTimersAsync(T0 + 1_001, 100, StartFor([flow], max: 10));

        Assert.Equal(2, fired.Taken);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), fired.Started.Select(j => j.Id).Order(StringComparer.Ordinal));
        foreach (var started in fired.Started)
        {
            Assert.Equal(JobStatus.Running, started.Status);
            Assert.Equal(WaitResolutionKind.Success, ResolutionOf(started, "nap").Kind);
            var stored = await GetAsync(started.Id);
            Assert.Equal((JobStatus.Running, started.Version), (stored.Status, stored.Version));
            Assert.Single(await HistoryAsync(started.Id), e => e.Kind == JobEventKind.WaitResolved);
            Assert.Equal(JobEventKind.Claimed, (await HistoryAsync(started.Id))[^1].Kind);
        }

        // Nobody else gets them, nor does a second firing; the firer commits their next steps under its lease.
        Assert.Empty(await ClaimAsync(flow, now: T0 + 1_002));
        var again = await Store.ResolveDueTimersAsync(T0 + 1_002, 100, StartFor([flow], max: 10));
        Assert.Equal((0, 0), (again.Taken, again.Started.Count));
        foreach (var started in fired.Started)
        {
            Assert.True(await CommitOneAsync(StepOf(started, JobStatus.Done, owner: Firer, now: T0 + 1_003)));
            Assert.Equal(JobStatus.Done, (await GetAsync(started.Id)).Status);
        }
    }

    [Fact]
    public async Task TimerStart_CancelledJob_NeitherFiresNorStarts()
    {
        var flow = NewFlow();
        var cancelled = await BlockOnTimerAsync(JobOf(flow), dueAt: T0 + 1_000);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(cancelled, JobStatus.Cancelled, "cancelled", T0 + 500)).Outcome);

        var fired = await Store.ResolveDueTimersAsync(T0 + 1_000, 100, StartFor([flow], max: 10));

        Assert.Empty(fired.Started);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(cancelled)).Status);
        var history = await HistoryAsync(cancelled);
        Assert.DoesNotContain(history, e => e.Kind == JobEventKind.WaitResolved);
        Assert.Single(history, e => e.Kind == JobEventKind.Claimed); // its first step's claim only
    }

    [Fact]
    public async Task TimerStart_LimitedJob_StaysPending_ForAClaimThatCountsItsKey()
    {
        var flow = NewFlow();
        var limited = await BlockOnTimerAsync(JobOf(flow) with { ConcurrencyKey = "k", ConcurrencyLimit = 1 }, dueAt: T0 + 1_000);

        var fired = await Store.ResolveDueTimersAsync(T0 + 1_000, 100, StartFor([flow], max: 10));

        Assert.Equal(1, fired.Taken);
        Assert.Empty(fired.Started);
        Assert.Equal(JobStatus.Pending, (await GetAsync(limited)).Status);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(await ClaimOneAsync(flow, limited, now: T0 + 1_001), "nap").Kind);
    }

    [Fact]
    public async Task TimerStart_OnlyTheFlowsAndVersionsOfTheFirer_TheOthersStayPending()
    {
        var (flow, other) = (NewFlow(), NewFlow());
        var served = await BlockOnTimerAsync(JobOf(flow) with { FlowVersion = "v1" }, dueAt: T0 + 1_000);
        var unversioned = await BlockOnTimerAsync(JobOf(flow), dueAt: T0 + 1_000);
        var newer = await BlockOnTimerAsync(JobOf(flow) with { FlowVersion = "v2" }, dueAt: T0 + 1_000);
        var elsewhere = await BlockOnTimerAsync(JobOf(other), dueAt: T0 + 1_000);

        var fired = await Store.ResolveDueTimersAsync(T0 + 1_000, 100, StartFor([flow], max: 10) with { FlowVersions = [FlowVersionKey.Of(flow, "v1")] });

        Assert.Equal(4, fired.Taken);
        Assert.Equal(new[] { served, unversioned }.Order(StringComparer.Ordinal), fired.Started.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(JobStatus.Pending, (await GetAsync(newer)).Status);
        Assert.Equal(JobStatus.Pending, (await GetAsync(elsewhere)).Status);
        Assert.Equal(WaitResolutionKind.Success, ResolutionOf(await ClaimOneAsync(other, elsewhere, now: T0 + 1_001), "nap").Kind);
    }

    [Fact]
    public async Task TimerStart_MoreResumedThanFreeSlots_StartsTheEarliestUpToThem_TheRestStayPending()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await BlockOnTimerAsync(JobOf(flow), dueAt: T0 + 1_000 + i));
        }

        var fired = await Store.ResolveDueTimersAsync(T0 + 1_002, 100, StartFor([flow], max: 2));

        Assert.Equal(3, fired.Taken);
        Assert.Equal(ids.Take(2), fired.Started.Select(j => j.Id).OrderBy(ids.IndexOf));
        Assert.Equal(JobStatus.Pending, (await GetAsync(ids[2])).Status);
        Assert.Equal(ids[2], Assert.Single(await ClaimAsync(flow, now: T0 + 1_003)).Id);
    }

    private static ClaimRequest StartFor(IReadOnlyCollection<string> flows, int max) => new(Firer, max, T0 + 1_000, T0 + 1_000 + Lease, flows);

    /// <summary>Inserts <paramref name="job"/>, claims it and commits it blocking on a sleep <c>nap</c> due at <paramref name="dueAt"/>.</summary>
    private async Task<string> BlockOnTimerAsync(NewJob job, long dueAt)
    {
        var id = await Store.CreateJobAsync(job);
        var claimed = Assert.Single(await Store.ClaimAsync(new ClaimRequest(Owner, 1, T0, T0 + Lease, [job.Flow])), j => j.Id == id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Blocking, now: T0 + 1) with { Waits = [new NewWait("nap", WaitTypes.Timer) { DueAtMs = dueAt }] }));
        return id;
    }
}
