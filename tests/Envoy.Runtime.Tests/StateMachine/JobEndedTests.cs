using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

public sealed class JobEndedTests
{
    private const long Now = 1_000;

    [Fact]
    public async Task JobEnded_DoneWithoutParent_ReadsAndWritesNothing()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Done);

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("a", JobStatus.Done, null, null, "{}", null, Now), CancellationToken.None);

        Assert.Empty(tx.Calls);
        Assert.False(JobEnd.HasEffects(JobStatus.Done, null));
    }

    [Theory]
    [InlineData(JobStatus.Done, null, false)]
    [InlineData(JobStatus.Done, "p", true)]
    [InlineData(JobStatus.Failed, null, true)]
    [InlineData(JobStatus.Cancelled, null, true)]
    [InlineData(JobStatus.Failed, "p", true)]
    public void HasEffects_OnlyDoneWithoutParentHasNone(JobStatus status, string? parentId, bool expected)
    {
        Assert.Equal(expected, JobEnd.HasEffects(status, parentId));
    }

    [Fact]
    public async Task JobEnded_DoneWithParent_ResolvesParentWaitWithOutput_AndUnblocksParent()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Blocking);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Done, "p", "w");

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("c", JobStatus.Done, "p", "w", "{\"x\":1}", null, Now), CancellationToken.None);

        var wait = tx.Waits[("p", "w")];
        Assert.Equal(WaitResolutionKind.Success, wait.Status);
        Assert.Equal("{\"x\":1}", wait.Output);
        Assert.Null(wait.Error);
        Assert.Equal(JobStatus.Pending, tx.Jobs["p"].Status);
        Assert.True(tx.Effects.Ready);
        Assert.Equal(JobEventKind.WaitResolved, Assert.Single(tx.Events).Kind);
        Assert.DoesNotContain(tx.Calls, c => c.StartsWith("cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JobEnded_DoneWithParent_ReadsTheParentAndItsWaitInOneStatement()
    {
        // The fanout hot path: each child's end costs its parent one read (the parent locked with its wait) and the writes.
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Blocking);
        tx.AddWait("p", "w1", WaitTypes.Spawn);
        tx.AddWait("p", "w2", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Done, "p", "w1");

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("c", JobStatus.Done, "p", "w1", "{}", null, Now), CancellationToken.None);

        Assert.Equal(["lock job p with wait w1", "resolve p/w1", "event p WaitResolved", "unblock p"], tx.Calls);
        Assert.Equal(JobStatus.Blocking, tx.Jobs["p"].Status);
    }

    [Theory]
    [InlineData(JobStatus.Failed, "boom", WaitResolutionKind.Error, "boom")]
    [InlineData(JobStatus.Failed, null, WaitResolutionKind.Error, "failed")]
    [InlineData(JobStatus.Cancelled, "cancelled by hand", WaitResolutionKind.Cancelled, "cancelled")]
    public async Task JobEnded_NotDoneWithParent_ParentWaitGetsKindAndErrorText_NoOutput(JobStatus status, string? error, WaitResolutionKind kind, string waitError)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Blocking);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddWait("p", "w2", WaitTypes.Spawn);
        tx.AddJob("c", status, "p", "w");

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("c", status, "p", "w", "{\"x\":1}", error, Now), CancellationToken.None);

        var wait = tx.Waits[("p", "w")];
        Assert.Equal(kind, wait.Status);
        Assert.Null(wait.Output);
        Assert.Equal(waitError, wait.Error);
        Assert.Equal(JobStatus.Blocking, tx.Jobs["p"].Status);
        Assert.False(tx.Effects.Ready);
    }

    [Fact]
    public async Task JobEnded_ParentEnded_LeavesParentWaitPending()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Failed);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Done, "p", "w");

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("c", JobStatus.Done, "p", "w", "{}", null, Now), CancellationToken.None);

        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("p", "w")].Status);
        Assert.Equal(["lock job p with wait w"], tx.Calls);
    }

    [Fact]
    public async Task JobEnded_Failed_CancelsUnfinishedDescendantsAndTheirEscalations_WithReason()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Failed);
        tx.AddEscalation("a", "ea", EscalationStatus.Pending);
        tx.AddJob("b", JobStatus.Blocking, "a", "wb", flow: "fb");
        tx.AddEscalation("b", "eb", EscalationStatus.Pending);
        tx.AddJob("c", JobStatus.Running, "b", "wc", flow: "fc");
        tx.AddJob("d", JobStatus.Done, "a", "wd");

        await JobStateMachine.JobEndedAsync(tx, new JobEnd("a", JobStatus.Failed, null, null, null, "boom", Now), CancellationToken.None);

        Assert.Equal(JobStatus.Cancelled, tx.Jobs["b"].Status);
        Assert.Equal(JobStatus.Cancelled, tx.Jobs["c"].Status);
        Assert.Equal(JobStatus.Done, tx.Jobs["d"].Status);
        Assert.Equal("cancelled: ancestor job 'a' ended failed", tx.Jobs["b"].Error);
        Assert.Equal(EscalationStatus.Cancelled, tx.Escalations["ea"].Status);
        Assert.Equal(EscalationStatus.Cancelled, tx.Escalations["eb"].Status);
        Assert.Equal([new CascadedJob("b", "fb"), new CascadedJob("c", "fc")], tx.Effects.Cascaded);
        Assert.Equal(["b", "c"], tx.Effects.Finished);
        Assert.All(tx.Events, e =>
        {
            Assert.Equal(JobEventKind.Cancelled, e.Kind);
            Assert.Equal(JobStatus.Cancelled, e.To);
            Assert.Equal("ancestor job 'a' ended failed", e.Error);
        });
        Assert.Equal(["b", "c"], tx.Events.Select(e => e.JobId));
    }
}
