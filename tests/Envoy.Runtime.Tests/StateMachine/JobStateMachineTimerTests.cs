using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

/// <summary>The rule that fires a due timer (<see cref="JobStateMachine.ResolveTimerAsync"/>), alone on an in-memory transaction.</summary>
public sealed class JobStateMachineTimerTests
{
    private const long Due = 5_000;

    [Fact]
    public async Task ResolveTimer_Sleep_ResolvesWithSuccessAndUnblocks()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "nap", WaitTypes.Timer).DueAtMs = Due;

        var result = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "nap", WaitTypes.Timer), Due, CancellationToken.None);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal((WaitResolutionKind.Success, null), (tx.Waits[("a", "nap")].Status, tx.Waits[("a", "nap")].Error));
        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.True(tx.Effects.Ready);
        Assert.Equal(JobEventKind.WaitResolved, Assert.Single(tx.Events).Kind);
    }

    [Fact]
    public async Task ResolveTimer_WaitWithTimeout_ResolvesWithErrorTimeout_OtherWaitsKeepTheJobBlocked()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "hook", "webhook").DueAtMs = Due;
        tx.AddWait("a", "other", "webhook");

        var result = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "hook", "webhook"), Due + 1, CancellationToken.None);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (tx.Waits[("a", "hook")].Status, tx.Waits[("a", "hook")].Error));
        Assert.Equal(JobStatus.Blocking, tx.Jobs["a"].Status);
        Assert.Equal(Wait.TimeoutError, Assert.Single(tx.Events).Error);
    }

    [Fact]
    public async Task ResolveTimer_Escalation_ExpiresIt_LockingTheEscalationBeforeTheJob()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddEscalation("a", "ask", EscalationStatus.Pending);
        tx.Waits[("a", "ask")].DueAtMs = Due;

        var result = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "ask", WaitTypes.Escalation), Due, CancellationToken.None);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal(EscalationStatus.Expired, tx.Escalations["ask"].Status);
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (tx.Waits[("a", "ask")].Status, tx.Waits[("a", "ask")].Error));
        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.Equal([JobEventKind.EscalationAnswered, JobEventKind.WaitResolved], tx.Events.Select(e => e.Kind));
        Assert.True(tx.Calls.IndexOf("lock escalation ask") < tx.Calls.IndexOf("lock job a with wait ask"), string.Join(", ", tx.Calls));
    }

    [Theory]
    [InlineData(JobStatus.Cancelled)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Done)]
    public async Task ResolveTimer_JobEnded_NeverFires(JobStatus status)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", status);
        tx.AddWait("a", "nap", WaitTypes.Timer).DueAtMs = Due;

        var result = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "nap", WaitTypes.Timer), Due, CancellationToken.None);

        Assert.Equal((StoreOutcome.JobTerminal, status), (result.Outcome, result.Status));
        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("a", "nap")].Status);
        Assert.Empty(tx.Events);
        Assert.False(tx.Effects.Ready);
    }

    [Fact]
    public async Task ResolveTimer_WaitResolvedFirst_OrFiredTwice_ChangesNothing()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "hook", "webhook", WaitResolutionKind.Success).DueAtMs = Due;
        tx.AddJob("b", JobStatus.Blocking);
        tx.AddWait("b", "nap", WaitTypes.Timer).DueAtMs = Due;

        var resolvedFirst = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "hook", "webhook"), Due, CancellationToken.None);
        var first = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("b", "nap", WaitTypes.Timer), Due, CancellationToken.None);
        var second = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("b", "nap", WaitTypes.Timer), Due, CancellationToken.None);

        Assert.Equal(StoreOutcome.WaitAlreadyResolved, resolvedFirst.Outcome);
        Assert.Equal(WaitResolutionKind.Success, tx.Waits[("a", "hook")].Status);
        Assert.Equal((StoreOutcome.Ok, StoreOutcome.WaitAlreadyResolved), (first.Outcome, second.Outcome));
        Assert.Single(tx.Events);
    }

    [Fact]
    public async Task ResolveTimer_WaitRegisteredAgainWithALaterTimer_IsNotFiredEarly()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "nap", WaitTypes.Timer).DueAtMs = Due + 60_000;

        var result = await JobStateMachine.ResolveTimerAsync(tx, new DueTimer("a", "nap", WaitTypes.Timer), Due, CancellationToken.None);

        Assert.Equal(StoreOutcome.WaitAlreadyResolved, result.Outcome);
        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("a", "nap")].Status);
        Assert.Equal(JobStatus.Blocking, tx.Jobs["a"].Status);
    }
}
