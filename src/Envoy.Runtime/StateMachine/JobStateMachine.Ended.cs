using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

public static partial class JobStateMachine
{
    /// <summary>
    /// A job became terminal in this transaction (its own row and history entry are written, and it is recorded finished):
    /// <list type="number">
    /// <item>Its parent's wait resolves (<see cref="JobEnd.ParentWaitResolution"/>), unless the parent is gone or ended. The
    /// parent is locked and read with its wait in one statement, so that siblings finishing at once see each other's
    /// resolutions and one of them unblocks it.</item>
    /// <item>Unless it is done, its unfinished descendants are cancelled (<see cref="JobEnd.CascadeReason"/>, each with a
    /// history entry and recorded cascaded), and the pending escalations of it and of them are cancelled. A job finishes done
    /// only from running, when none of its waits is pending: it has no escalation to cancel and no descendant waited for.</item>
    /// </list>
    /// Nothing is read or written when <see cref="JobEnd.HasEffects"/> is false.
    /// </summary>
    public static async ValueTask JobEndedAsync(IJobTransaction tx, JobEnd end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(end);
        if (end.ParentWaitResolution is { } resolution
            && await tx.LockJobWaitAsync(resolution.JobId, resolution.WaitId, cancellationToken).ConfigureAwait(false) is { } parent
            && !parent.JobStatus.IsTerminal())
        {
            await ResolvePendingWaitAsync(tx, resolution, parent.Wait, externalOnly: false, cancellationToken).ConfigureAwait(false);
        }

        if (end.Status == JobStatus.Done)
        {
            return;
        }

        var reason = end.CascadeReason;
        var cancelled = await tx.CancelDescendantsAsync(end.JobId, "cancelled: " + reason, end.NowMs, cancellationToken).ConfigureAwait(false);
        await tx.CancelEscalationsAsync([end.JobId, .. cancelled.Select(c => c.Id)], cancellationToken).ConfigureAwait(false);
        var at = FromMs(end.NowMs);
        foreach (var job in cancelled)
        {
            await tx.AppendEventAsync(new JobEvent(job.Id, at, JobEventKind.Cancelled, To: JobStatus.Cancelled, Error: reason), cancellationToken).ConfigureAwait(false);
            tx.Effects.AddCascaded(job.Id, job.Flow);
        }
    }
}
