using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

/// <summary>
/// The one set of rules for a job's transitions outside a step, written once for every store: each store opens a
/// transaction, wraps it in its <see cref="IJobTransaction"/> and calls one of these; the store only executes the primitive
/// reads and writes. (Step commits themselves are planned by the runtime's <c>StepPlanner</c>; when one ends a job, the store
/// calls <see cref="JobEndedAsync"/>.)
/// <list type="bullet">
/// <item>Finish by hand (cancel, fail): <see cref="FinishAsync"/>, this file.</item>
/// <item>Retry (revive a failed or cancelled job and, recursively, the failed or cancelled children it waits for):
/// <see cref="RetryAsync"/>, this file.</item>
/// <item>Resolve a wait by hand, and the wait rules shared by every resolution (type check, already resolved, unblock):
/// <see cref="ResolveWaitAsync"/>, JobStateMachine.Waits.cs.</item>
/// <item>Reply to an escalation: <see cref="ReplyToEscalationAsync"/>, JobStateMachine.Waits.cs.</item>
/// <item>A job became terminal (its parent's wait resolves with the right kind and error text; unless done, its unfinished
/// descendants are cancelled with a reason and history entries, and their and its pending escalations cancelled):
/// <see cref="JobEndedAsync"/>, JobStateMachine.Ended.cs; the kind, texts and when there is anything to do:
/// <see cref="JobEnd"/>.</item>
/// </list>
/// </summary>
public static partial class JobStateMachine
{
    /// <summary>Throws unless <paramref name="status"/> is one a job can be finished with by hand (cancelled or failed).</summary>
    public static void ThrowIfNotFinishableByHand(JobStatus status)
    {
        if (status is not (JobStatus.Cancelled or JobStatus.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only Cancelled or Failed can be set by hand.");
        }
    }

    /// <summary>
    /// Finishes an unfinished job by hand as <paramref name="status"/> (cancelled or failed) with <paramref name="error"/>,
    /// then applies <see cref="JobEndedAsync"/>. The result carries the status it had and the descendants cancelled.
    /// </summary>
    public static async ValueTask<StoreResult> FinishAsync(IJobTransaction tx, string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ThrowIfNotFinishableByHand(status);
        if (await tx.LockJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return new StoreResult(StoreOutcome.JobNotFound);
        }

        if (job.Status.IsTerminal())
        {
            return new StoreResult(StoreOutcome.JobTerminal, job.Status);
        }

        await tx.WriteFinishedAsync(jobId, status, error, nowMs, cancellationToken).ConfigureAwait(false);
        var kind = status == JobStatus.Cancelled ? JobEventKind.Cancelled : JobEventKind.Failed;
        await tx.AppendEventAsync(new JobEvent(jobId, FromMs(nowMs), kind, From: job.Status, To: status, Error: error), cancellationToken).ConfigureAwait(false);
        tx.Effects.AddFinished(jobId);
        await JobEndedAsync(tx, new JobEnd(jobId, status, job.ParentId, job.ParentWaitId, null, error, nowMs), cancellationToken).ConfigureAwait(false);
        return new StoreResult(StoreOutcome.Ok, job.Status) { Cascaded = tx.Effects.Cascaded };
    }

    /// <summary>
    /// Runs a failed or cancelled job again from its last committed context (<see cref="ReviveAsync"/>); any other status is
    /// <see cref="StoreOutcome.WrongStatus"/>. The result carries its new status.
    /// </summary>
    public static async ValueTask<StoreResult> RetryAsync(IJobTransaction tx, string jobId, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        if (await tx.LockJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return new StoreResult(StoreOutcome.JobNotFound);
        }

        if (job.Status is not (JobStatus.Failed or JobStatus.Cancelled))
        {
            return new StoreResult(StoreOutcome.WrongStatus, job.Status);
        }

        return new StoreResult(StoreOutcome.Ok, await ReviveAsync(tx, jobId, job.Status, nowMs, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Revives a failed or cancelled job: first the children behind its pending waits that ended failed or cancelled, the same
    /// way (depth first); then its cancelled or expired escalations are pending again; it is blocking while a wait is pending,
    /// else pending (and ready). Returns its new status.
    /// </summary>
    private static async ValueTask<JobStatus> ReviveAsync(IJobTransaction tx, string jobId, JobStatus from, long nowMs, CancellationToken cancellationToken)
    {
        foreach (var child in await tx.ChildrenOfPendingWaitsAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            if (child.Status is JobStatus.Failed or JobStatus.Cancelled)
            {
                await ReviveAsync(tx, child.Id, child.Status, nowMs, cancellationToken).ConfigureAwait(false);
            }
        }

        await tx.ReviveEscalationsAsync(jobId, cancellationToken).ConfigureAwait(false);
        var blocked = await tx.HasPendingWaitAsync(jobId, cancellationToken).ConfigureAwait(false);
        var status = blocked ? JobStatus.Blocking : JobStatus.Pending;
        await tx.WriteRevivedAsync(jobId, status, nowMs, cancellationToken).ConfigureAwait(false);
        await tx.AppendEventAsync(new JobEvent(jobId, FromMs(nowMs), JobEventKind.Retried, From: from, To: status), cancellationToken).ConfigureAwait(false);
        tx.Effects.Ready |= !blocked;
        tx.Effects.StatusChanged(jobId);
        return status;
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
