using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

public sealed class JobStateMachineTests
{
    private const long Now = 1_000;

    [Fact]
    public async Task Finish_CancelledByHand_WritesStatusAndEvent_ResolvesParentWait_CancelsDescendants()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Blocking);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Blocking, "p", "w");
        tx.AddJob("g", JobStatus.Pending, "c", "wg", flow: "fg");

        var result = await JobStateMachine.FinishAsync(tx, "c", JobStatus.Cancelled, "cancelled", Now, CancellationToken.None);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(JobStatus.Blocking, result.Status);
        Assert.Equal([new CascadedJob("g", "fg")], result.Cascaded);
        Assert.Equal(JobStatus.Cancelled, tx.Jobs["c"].Status);
        Assert.Equal(WaitResolutionKind.Cancelled, tx.Waits[("p", "w")].Status);
        Assert.Equal(JobStatus.Pending, tx.Jobs["p"].Status);
        Assert.Equal(["c", "g"], tx.Effects.Finished);
        var first = tx.Events[0];
        Assert.Equal((JobEventKind.Cancelled, JobStatus.Blocking, JobStatus.Cancelled, "cancelled"), (first.Kind, first.From, first.To, first.Error));
        Assert.Equal([JobEventKind.Cancelled, JobEventKind.WaitResolved, JobEventKind.Cancelled], tx.Events.Select(e => e.Kind));
    }

    [Fact]
    public async Task Finish_FailedByHand_ParentWaitIsAnErrorWithTheReason()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Blocking);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Running, "p", "w");

        await JobStateMachine.FinishAsync(tx, "c", JobStatus.Failed, "stop", Now, CancellationToken.None);

        Assert.Equal((WaitResolutionKind.Error, "stop"), (tx.Waits[("p", "w")].Status, tx.Waits[("p", "w")].Error));
        Assert.Equal(JobEventKind.Failed, tx.Events[0].Kind);
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    public async Task Finish_EndedJob_IsJobTerminal_AndWritesNothing(JobStatus status)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", status);

        var result = await JobStateMachine.FinishAsync(tx, "a", JobStatus.Cancelled, "cancelled", Now, CancellationToken.None);

        Assert.Equal((StoreOutcome.JobTerminal, status), (result.Outcome, result.Status));
        Assert.Equal(["lock job a"], tx.Calls);
    }

    [Fact]
    public async Task Finish_UnknownJob_IsJobNotFound()
    {
        var result = await JobStateMachine.FinishAsync(new FakeJobTransaction(), "x", JobStatus.Failed, "e", Now, CancellationToken.None);

        Assert.Equal(StoreOutcome.JobNotFound, result.Outcome);
    }

    [Theory]
    [InlineData(JobStatus.Done)]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Blocking)]
    public async Task Finish_ByHandWithAnotherStatus_Throws(JobStatus status)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await JobStateMachine.FinishAsync(new FakeJobTransaction(), "a", status, "e", Now, CancellationToken.None));
    }

    [Fact]
    public async Task Retry_RevivesFailedChildrenBehindPendingWaits_Recursively_AndTheirEscalations()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("p", JobStatus.Failed);
        tx.AddWait("p", "w", WaitTypes.Spawn);
        tx.AddJob("c", JobStatus.Cancelled, "p", "w");
        tx.AddWait("c", "wg", WaitTypes.Spawn);
        tx.AddJob("g", JobStatus.Cancelled, "c", "wg");
        tx.AddEscalation("g", "eg", EscalationStatus.Cancelled);
        tx.AddWait("p", "done", WaitTypes.Spawn, WaitResolutionKind.Success);
        tx.AddJob("old", JobStatus.Failed, "p", "done");

        var result = await JobStateMachine.RetryAsync(tx, "p", Now, CancellationToken.None);

        Assert.Equal((StoreOutcome.Ok, JobStatus.Blocking), (result.Outcome, result.Status));
        Assert.Equal(JobStatus.Blocking, tx.Jobs["c"].Status);
        Assert.Equal(JobStatus.Blocking, tx.Jobs["g"].Status);
        Assert.Equal(EscalationStatus.Pending, tx.Escalations["eg"].Status);
        Assert.Equal(JobStatus.Failed, tx.Jobs["old"].Status);
        Assert.Equal(["g", "c", "p"], tx.Events.Select(e => e.JobId));
        Assert.All(tx.Events, e => Assert.Equal(JobEventKind.Retried, e.Kind));
        Assert.False(tx.Effects.Ready);
    }

    [Fact]
    public async Task Retry_JobWithoutPendingWait_IsPendingAndReady()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Cancelled);

        var result = await JobStateMachine.RetryAsync(tx, "a", Now, CancellationToken.None);

        Assert.Equal(JobStatus.Pending, result.Status);
        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.True(tx.Effects.Ready);
        var retried = Assert.Single(tx.Events);
        Assert.Equal((JobEventKind.Retried, JobStatus.Cancelled, JobStatus.Pending), (retried.Kind, retried.From, retried.To));
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    [InlineData(JobStatus.Blocking)]
    [InlineData(JobStatus.Done)]
    public async Task Retry_NotFailedOrCancelled_IsWrongStatus(JobStatus status)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", status);

        var result = await JobStateMachine.RetryAsync(tx, "a", Now, CancellationToken.None);

        Assert.Equal((StoreOutcome.WrongStatus, status), (result.Outcome, result.Status));
        Assert.Empty(tx.Events);
    }
}
