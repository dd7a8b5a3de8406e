using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

public sealed class JobStateMachineWaitTests
{
    private const long Now = 1_000;

    /// <summary>A wait resolved from outside (by hand), neither a child's nor an escalation's.</summary>
    private const string ExternalWait = "signal";

    [Fact]
    public async Task ResolveWait_LastPendingWait_ResolvesAndUnblocks()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "w", ExternalWait);

        var result = await JobStateMachine.ResolveWaitAsync(tx, new WaitResolution("a", "w", WaitResolutionKind.Success, "{}", null, Now), CancellationToken.None);

        Assert.Equal(StoreOutcome.Ok, result.Outcome);
        Assert.Equal((WaitResolutionKind.Success, "{}"), (tx.Waits[("a", "w")].Status, tx.Waits[("a", "w")].Output));
        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.True(tx.Effects.Ready);
        Assert.Equal(JobEventKind.WaitResolved, Assert.Single(tx.Events).Kind);
    }

    [Theory]
    [InlineData(WaitTypes.Spawn)]
    [InlineData(WaitTypes.Escalation)]
    public async Task ResolveWait_ByHand_ChildOrEscalationWait_IsWaitTypeMismatch(string type)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "w", type);

        var result = await JobStateMachine.ResolveWaitAsync(tx, new WaitResolution("a", "w", WaitResolutionKind.Success, null, null, Now), CancellationToken.None);

        Assert.Equal((StoreOutcome.WaitTypeMismatch, type), (result.Outcome, result.WaitType));
        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("a", "w")].Status);
    }

    [Fact]
    public async Task ResolveWait_Outcomes_NotFound_Terminal_AlreadyResolved()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "done", ExternalWait, WaitResolutionKind.Success);
        tx.AddJob("t", JobStatus.Failed);

        Assert.Equal(StoreOutcome.JobNotFound, (await JobStateMachine.ResolveWaitAsync(tx, new WaitResolution("x", "w", WaitResolutionKind.Success, null, null, Now), CancellationToken.None)).Outcome);
        Assert.Equal((StoreOutcome.JobTerminal, JobStatus.Failed), await Outcome(new WaitResolution("t", "w", WaitResolutionKind.Success, null, null, Now)));
        Assert.Equal(StoreOutcome.WaitNotFound, (await JobStateMachine.ResolveWaitAsync(tx, new WaitResolution("a", "none", WaitResolutionKind.Success, null, null, Now), CancellationToken.None)).Outcome);
        Assert.Equal(StoreOutcome.WaitAlreadyResolved, (await JobStateMachine.ResolveWaitAsync(tx, new WaitResolution("a", "done", WaitResolutionKind.Success, null, null, Now), CancellationToken.None)).Outcome);
        Assert.Empty(tx.Events);

        async Task<(StoreOutcome, JobStatus?)> Outcome(WaitResolution resolution)
        {
            var result = await JobStateMachine.ResolveWaitAsync(tx, resolution, CancellationToken.None);
            return (result.Outcome, result.Status);
        }
    }

    [Theory]
    [InlineData(EscalationStatus.Approved, WaitResolutionKind.Success, null)]
    [InlineData(EscalationStatus.Rejected, WaitResolutionKind.Error, "rejected")]
    public async Task Reply_Pending_AnswersAndResolvesItsWait(EscalationStatus reply, WaitResolutionKind kind, string? error)
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddEscalation("a", "e", EscalationStatus.Pending);

        var result = await JobStateMachine.ReplyToEscalationAsync(tx, new EscalationReply("e", reply, "{\"ok\":true}", "ann", Now), CancellationToken.None);

        Assert.Equal((StoreOutcome.Ok, "a"), (result.Outcome, result.JobId));
        Assert.Equal(reply, tx.Escalations["e"].Status);
        var wait = tx.Waits[("a", "e")];
        Assert.Equal((kind, "{\"ok\":true}", error), (wait.Status, wait.Output, wait.Error));
        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.Equal([JobEventKind.EscalationAnswered, JobEventKind.WaitResolved], tx.Events.Select(e => e.Kind));
        Assert.Equal(error, tx.Events[0].Error);
    }

    [Fact]
    public async Task Reply_Outcomes_NotFound_AlreadyAnswered_CancelledWithItsJob()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddEscalation("a", "answered", EscalationStatus.Approved);
        tx.AddJob("t", JobStatus.Cancelled);
        tx.AddEscalation("t", "cancelled", EscalationStatus.Cancelled);
        tx.AddJob("r", JobStatus.Failed);
        tx.AddEscalation("r", "pending", EscalationStatus.Pending);

        var notFound = await Reply("x");
        var answered = await Reply("answered");
        var cancelled = await Reply("cancelled");
        var ended = await Reply("pending");

        Assert.Equal(StoreOutcome.EscalationNotFound, notFound.Outcome);
        Assert.Equal((StoreOutcome.EscalationAlreadyAnswered, EscalationStatus.Approved, "a"), (answered.Outcome, answered.EscalationStatus, answered.JobId));
        Assert.Equal((StoreOutcome.JobTerminal, JobStatus.Cancelled, "t"), (cancelled.Outcome, cancelled.Status, cancelled.JobId));
        Assert.Equal((StoreOutcome.JobTerminal, JobStatus.Failed, "r"), (ended.Outcome, ended.Status, ended.JobId));
        Assert.Empty(tx.Events);

        async Task<StoreResult> Reply(string id) =>
            await JobStateMachine.ReplyToEscalationAsync(tx, new EscalationReply(id, EscalationStatus.Approved, "{}", null, Now), CancellationToken.None);
    }
}
