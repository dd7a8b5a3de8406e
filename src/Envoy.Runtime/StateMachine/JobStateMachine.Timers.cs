using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

public static partial class JobStateMachine
{
    /// <summary>
    /// Fires a due timer: its wait must still be pending and its job not ended (a cancelled job's timer never fires; a wait
    /// resolved first is left alone: <see cref="StoreOutcome.WaitAlreadyResolved"/>), so that it fires exactly once however
    /// many schedulers try. A <see cref="WaitTypes.Timer"/> wait (a sleep) resolves with success; any other wait with the error
    /// <see cref="Wait.TimeoutError"/>, and an escalation still pending behind it becomes <see cref="EscalationStatus.Expired"/>
    /// in the same transaction. Its job is unblocked when no wait is left.
    /// </summary>
    /// <remarks>Locks in the order of a reply to an escalation (the escalation, then its job), so the two never deadlock.</remarks>
    public static async ValueTask<StoreResult> ResolveTimerAsync(IJobTransaction tx, DueTimer timer, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(timer);
        var escalation = timer.Type == WaitTypes.Escalation
            ? await tx.LockEscalationAsync(timer.WaitId, cancellationToken).ConfigureAwait(false)
            : null;
        if (await tx.LockJobWaitAsync(timer.JobId, timer.WaitId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return new StoreResult(StoreOutcome.JobNotFound);
        }

        if (job.JobStatus.IsTerminal())
        {
            return new StoreResult(StoreOutcome.JobTerminal, job.JobStatus);
        }

        if (job.Wait is not { } wait)
        {
            return new StoreResult(StoreOutcome.WaitNotFound);
        }

        if (wait.Status != WaitResolutionKind.Pending)
        {
            return new StoreResult(StoreOutcome.WaitAlreadyResolved);
        }

        // Found due, then resolved and registered again under the same id (a state run again) before this transaction: not yet.
        if (wait.DueAtMs is not { } due || due > nowMs)
        {
            return new StoreResult(StoreOutcome.WaitAlreadyResolved);
        }

        if (escalation is { Status: EscalationStatus.Pending } && escalation.JobId == timer.JobId)
        {
            await tx.WriteEscalationReplyAsync(new EscalationReply(escalation.Id, EscalationStatus.Expired, null, null, nowMs), cancellationToken).ConfigureAwait(false);
            await tx.AppendEventAsync(new JobEvent(timer.JobId, FromMs(nowMs), JobEventKind.EscalationAnswered, Error: Wait.TimeoutError), cancellationToken).ConfigureAwait(false);
        }

        var resolution = wait.Type == WaitTypes.Timer
            ? new WaitResolution(timer.JobId, timer.WaitId, WaitResolutionKind.Success, null, null, nowMs)
            : new WaitResolution(timer.JobId, timer.WaitId, WaitResolutionKind.Error, null, Wait.TimeoutError, nowMs);
        return await ApplyResolutionAsync(tx, resolution, cancellationToken).ConfigureAwait(false);
    }
}
