using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

public static partial class JobStateMachine
{
    /// <summary>
    /// Resolves a wait of an unfinished job by hand. A child's or an escalation's wait is refused
    /// (<see cref="StoreOutcome.WaitTypeMismatch"/>): those resolve only through the child's end or a reply.
    /// </summary>
    public static async ValueTask<StoreResult> ResolveWaitAsync(IJobTransaction tx, WaitResolution resolution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(resolution);
        if (await tx.LockJobWaitAsync(resolution.JobId, resolution.WaitId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return new StoreResult(StoreOutcome.JobNotFound);
        }

        if (job.JobStatus.IsTerminal())
        {
            return new StoreResult(StoreOutcome.JobTerminal, job.JobStatus);
        }

        return await ResolvePendingWaitAsync(tx, resolution, job.Wait, externalOnly: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Answers a pending escalation of an unfinished job and resolves its wait: approved is a success with the response,
    /// rejected an error <c>"rejected"</c>. An escalation cancelled because its job ended reports the job's end
    /// (<see cref="StoreOutcome.JobTerminal"/>); any other answered one <see cref="StoreOutcome.EscalationAlreadyAnswered"/>.
    /// The result names the escalation's job.
    /// </summary>
    public static async ValueTask<StoreResult> ReplyToEscalationAsync(IJobTransaction tx, EscalationReply reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(reply);
        if (await tx.LockEscalationAsync(reply.EscalationId, cancellationToken).ConfigureAwait(false) is not { } escalation)
        {
            return new StoreResult(StoreOutcome.EscalationNotFound);
        }

        // An escalation always has its job; were it gone, the reply would resolve nothing (WaitNotFound).
        var job = await tx.LockJobWaitAsync(escalation.JobId, escalation.WaitId, cancellationToken).ConfigureAwait(false);
        var status = job?.JobStatus ?? JobStatus.Pending;
        if (escalation.Status == EscalationStatus.Cancelled && status.IsTerminal())
        {
            return new StoreResult(StoreOutcome.JobTerminal, status, escalation.JobId);
        }

        if (escalation.Status != EscalationStatus.Pending)
        {
            return new StoreResult(StoreOutcome.EscalationAlreadyAnswered, EscalationStatus: escalation.Status, JobId: escalation.JobId);
        }

        if (status.IsTerminal())
        {
            return new StoreResult(StoreOutcome.JobTerminal, status, escalation.JobId);
        }

        await tx.WriteEscalationReplyAsync(reply, cancellationToken).ConfigureAwait(false);
        var approved = reply.Status == EscalationStatus.Approved;
        var answered = new JobEvent(escalation.JobId, FromMs(reply.NowMs), JobEventKind.EscalationAnswered, Error: reply.Status == EscalationStatus.Rejected ? "rejected" : null);
        await tx.AppendEventAsync(answered, cancellationToken).ConfigureAwait(false);
        var resolution = new WaitResolution(escalation.JobId, escalation.WaitId, approved ? WaitResolutionKind.Success : WaitResolutionKind.Error, reply.ResponseJson, approved ? null : "rejected", reply.NowMs);
        var resolved = await ResolvePendingWaitAsync(tx, resolution, job?.Wait, externalOnly: false, cancellationToken).ConfigureAwait(false);
        return resolved with { JobId = escalation.JobId };
    }

    /// <summary>
    /// The rules of every wait resolution (by hand, by a reply, by a child's end), given the <paramref name="wait"/> read with
    /// its locked job (<see cref="IJobTransaction.LockJobWaitAsync"/>): the wait must exist and be pending (and, by hand,
    /// <paramref name="externalOnly"/>, be neither a child's nor an escalation's); it is resolved with a history entry, and its
    /// job is unblocked (pending, ready) when no wait is left.
    /// </summary>
    private static async ValueTask<StoreResult> ResolvePendingWaitAsync(IJobTransaction tx, WaitResolution resolution, WaitState? wait, bool externalOnly, CancellationToken cancellationToken)
    {
        if (wait is null)
        {
            return new StoreResult(StoreOutcome.WaitNotFound);
        }

        if (externalOnly && wait.Type is WaitTypes.Spawn or WaitTypes.Escalation)
        {
            return new StoreResult(StoreOutcome.WaitTypeMismatch, WaitType: wait.Type);
        }

        if (wait.Status != WaitResolutionKind.Pending)
        {
            return new StoreResult(StoreOutcome.WaitAlreadyResolved);
        }

        return await ApplyResolutionAsync(tx, resolution, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves a wait known to be pending, with a history entry, and unblocks its job when no wait is left.</summary>
    private static async ValueTask<StoreResult> ApplyResolutionAsync(IJobTransaction tx, WaitResolution resolution, CancellationToken cancellationToken)
    {
        await tx.WriteWaitResolutionAsync(resolution, cancellationToken).ConfigureAwait(false);
        await tx.AppendEventAsync(new JobEvent(resolution.JobId, FromMs(resolution.NowMs), JobEventKind.WaitResolved, Error: resolution.Error), cancellationToken).ConfigureAwait(false);
        if (await tx.UnblockAsync(resolution.JobId, resolution.NowMs, cancellationToken).ConfigureAwait(false))
        {
            tx.Effects.Ready = true;
            tx.Effects.StatusChanged(resolution.JobId);
        }

        return StoreResult.Ok;
    }
}
