using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

/// <summary>
/// <see cref="ITimerBatchTransaction"/> over the primitive members of an <see cref="IJobTransaction"/>, one timer at a time:
/// for a store whose statements cost little each (SQLite, in process), so that every store fires timers by the same plan.
/// </summary>
internal sealed class TimerBatchOverJobTransaction(IJobTransaction tx) : ITimerBatchTransaction
{
    public StoreEffects Effects => tx.Effects;

    public async ValueTask<IReadOnlyList<LockedTimer>> LockTimersAsync(IReadOnlyList<DueTimer> due, CancellationToken cancellationToken)
    {
        var locked = new List<LockedTimer>(due.Count);
        foreach (var timer in due)
        {
            locked.Add(await JobStateMachine.LockTimerAsync(tx, timer, cancellationToken).ConfigureAwait(false));
        }

        return locked;
    }

    public async ValueTask<IReadOnlyList<UnblockedJob>> WriteTimerBatchAsync(TimerBatch batch, CancellationToken cancellationToken)
    {
        foreach (var expiry in batch.ExpiredEscalations)
        {
            await tx.WriteEscalationReplyAsync(expiry, cancellationToken).ConfigureAwait(false);
        }

        foreach (var resolution in batch.Resolutions)
        {
            await tx.WriteWaitResolutionAsync(resolution, cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in batch.Events)
        {
            await tx.AppendEventAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        var unblocked = new List<UnblockedJob>();
        foreach (var jobId in batch.Resolutions.Select(r => r.JobId).Distinct(StringComparer.Ordinal))
        {
            if (await tx.UnblockAsync(jobId, batch.NowMs, cancellationToken).ConfigureAwait(false))
            {
                unblocked.Add(await tx.ReadUnblockedAsync(jobId, cancellationToken).ConfigureAwait(false) ?? new UnblockedJob(jobId, null, string.Empty, null));
            }
        }

        return unblocked;
    }

    public async ValueTask<IReadOnlyList<JobRecord>> StartJobsAsync(IReadOnlyList<string> jobIds, JobLease lease, long nowMs, CancellationToken cancellationToken)
    {
        var started = new List<JobRecord>(jobIds.Count);
        foreach (var jobId in jobIds)
        {
            if (await tx.StartJobAsync(jobId, lease, nowMs, cancellationToken).ConfigureAwait(false) is { } record)
            {
                started.Add(record);
            }
        }

        return started;
    }
}
