using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;

namespace Envoy.Runtime.Tests.StateMachine;

/// <summary>
/// The set-based firing of a batch of due timers (<see cref="JobStateMachine.ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/>):
/// the same rule as one timer at a time, planned as one <see cref="TimerBatch"/> that a store executes in one go.
/// </summary>
public sealed class JobStateMachineTimerBatchTests
{
    private const long Due = 5_000;

    [Fact]
    public async Task ResolveTimers_MixedBatch_FiresEachByTheRule_SkipsTheRest()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("sleep", JobStatus.Blocking);
        tx.AddWait("sleep", "nap", WaitTypes.Timer).DueAtMs = Due;
        tx.AddJob("hook", JobStatus.Blocking);
        tx.AddWait("hook", "hook", "webhook").DueAtMs = Due;
        tx.AddJob("ask", JobStatus.Blocking);
        tx.AddEscalation("ask", "ask", EscalationStatus.Pending);
        tx.Waits[("ask", "ask")].DueAtMs = Due;
        tx.AddJob("cancelled", JobStatus.Cancelled);
        tx.AddWait("cancelled", "nap", WaitTypes.Timer).DueAtMs = Due;
        tx.AddJob("answered", JobStatus.Blocking);
        tx.AddWait("answered", "hook", "webhook", WaitResolutionKind.Success).DueAtMs = Due;
        tx.AddJob("later", JobStatus.Blocking);
        tx.AddWait("later", "nap", WaitTypes.Timer).DueAtMs = Due + 1;
        DueTimer[] due =
        [
            new("sleep", "nap", WaitTypes.Timer), new("hook", "hook", "webhook"), new("ask", "ask", WaitTypes.Escalation),
            new("cancelled", "nap", WaitTypes.Timer), new("answered", "hook", "webhook"), new("later", "nap", WaitTypes.Timer),
        ];

        var locked = await JobStateMachine.ResolveTimersAsync(tx, due, Due, CancellationToken.None);

        Assert.Equal(due.Length, locked);
        Assert.Equal((WaitResolutionKind.Success, null), (tx.Waits[("sleep", "nap")].Status, tx.Waits[("sleep", "nap")].Error));
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (tx.Waits[("hook", "hook")].Status, tx.Waits[("hook", "hook")].Error));
        Assert.Equal((WaitResolutionKind.Error, Wait.TimeoutError), (tx.Waits[("ask", "ask")].Status, tx.Waits[("ask", "ask")].Error));
        Assert.Equal(EscalationStatus.Expired, tx.Escalations["ask"].Status);
        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("cancelled", "nap")].Status);
        Assert.Equal(WaitResolutionKind.Pending, tx.Waits[("later", "nap")].Status);
        Assert.Equal(
            [JobStatus.Pending, JobStatus.Pending, JobStatus.Pending, JobStatus.Cancelled, JobStatus.Blocking, JobStatus.Blocking],
            due.Select(t => tx.Jobs[t.JobId].Status));
        Assert.Equal(
            [("sleep", JobEventKind.WaitResolved), ("hook", JobEventKind.WaitResolved), ("ask", JobEventKind.EscalationAnswered), ("ask", JobEventKind.WaitResolved)],
            tx.Events.Select(e => (e.JobId, e.Kind)));
        Assert.True(tx.Effects.Ready);
        Assert.True(tx.Calls.IndexOf("lock escalation ask") < tx.Calls.IndexOf("lock job ask with wait ask"), string.Join(", ", tx.Calls));
    }

    [Fact]
    public async Task ResolveTimers_TwoTimersOfOneJobInABatch_ResolveBoth_AndUnblockItOnce()
    {
        var tx = new FakeJobTransaction();
        tx.AddJob("a", JobStatus.Blocking);
        tx.AddWait("a", "first", WaitTypes.Timer).DueAtMs = Due;
        tx.AddWait("a", "second", "webhook").DueAtMs = Due;
        tx.AddJob("b", JobStatus.Blocking);
        tx.AddWait("b", "nap", WaitTypes.Timer).DueAtMs = Due;
        tx.AddWait("b", "untimed", "webhook");

        await JobStateMachine.ResolveTimersAsync(tx, [new("a", "first", WaitTypes.Timer), new("a", "second", "webhook"), new("b", "nap", WaitTypes.Timer)], Due, CancellationToken.None);

        Assert.Equal(JobStatus.Pending, tx.Jobs["a"].Status);
        Assert.Equal(JobStatus.Blocking, tx.Jobs["b"].Status); // its untimed wait is still pending
        Assert.Single(tx.Calls, c => c.StartsWith("unblock a", StringComparison.Ordinal));
        Assert.Equal(2, tx.Events.Count(e => e.JobId == "a" && e.Kind == JobEventKind.WaitResolved));
    }

    [Fact]
    public async Task ResolveTimers_PlansOneBatch_ThatTheStoreWritesInOneCall()
    {
        var inner = new FakeJobTransaction();
        for (var i = 0; i < 50; i++)
        {
            inner.AddJob($"j{i}", JobStatus.Blocking);
            inner.AddWait($"j{i}", "nap", WaitTypes.Timer).DueAtMs = Due;
        }

        var tx = new CountingTimerBatch(inner);
        var locked = await JobStateMachine.ResolveTimersAsync(tx, [.. Enumerable.Range(0, 50).Select(i => new DueTimer($"j{i}", "nap", WaitTypes.Timer))], Due, CancellationToken.None);

        Assert.Equal(50, locked);
        Assert.Equal((1, 1), (tx.Locks, tx.Writes));
        Assert.Equal(50, tx.Written!.Resolutions.Count);
        Assert.Equal(50, tx.Written.Events.Count);
        Assert.All(inner.Jobs.Values, j => Assert.Equal(JobStatus.Pending, j.Status));
    }

    /// <summary>A set-based store's side, counted: each call is one statement of such a store.</summary>
    private sealed class CountingTimerBatch(FakeJobTransaction inner) : ITimerBatchTransaction
    {
        public int Locks { get; private set; }

        public int Writes { get; private set; }

        public TimerBatch? Written { get; private set; }

        public StoreEffects Effects => inner.Effects;

        public async ValueTask<IReadOnlyList<LockedTimer>> LockTimersAsync(IReadOnlyList<DueTimer> due, CancellationToken cancellationToken)
        {
            Locks++;
            var locked = new List<LockedTimer>();
            foreach (var timer in due)
            {
                locked.Add(new LockedTimer(timer, await inner.LockJobWaitAsync(timer.JobId, timer.WaitId, cancellationToken), null));
            }

            return locked;
        }

        public async ValueTask<IReadOnlyList<UnblockedJob>> WriteTimerBatchAsync(TimerBatch batch, CancellationToken cancellationToken)
        {
            Writes++;
            Written = batch;
            var unblocked = new List<UnblockedJob>();
            foreach (var resolution in batch.Resolutions)
            {
                await inner.WriteWaitResolutionAsync(resolution, cancellationToken);
                if (await inner.UnblockAsync(resolution.JobId, batch.NowMs, cancellationToken))
                {
                    unblocked.Add(new UnblockedJob(resolution.JobId, null, string.Empty, null));
                }
            }

            return unblocked;
        }

        public ValueTask<IReadOnlyList<JobRecord>> StartJobsAsync(IReadOnlyList<string> jobIds, JobLease lease, long nowMs, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("No start was asked for.");
    }
}
