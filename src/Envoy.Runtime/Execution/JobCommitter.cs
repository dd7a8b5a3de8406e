using Envoy.Runtime.Storage;
using Envoy.Runtime.Execution.Events;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Writes the planned commits of the jobs running in one pool through its <see cref="CommitBatcher"/>, keeps each job's
/// version, and raises the commit's events (and those of the descendants it cancels) the moment it is applied.
/// </summary>
internal sealed class JobCommitter(RuntimeServices services, CommitBatcher batcher, StepPlanner planner)
{
    /// <summary>
    /// Writes a planned commit; true when it was applied. A commit the store refused for its data fails the job at once from
    /// <paramref name="before"/> (its last committed context) with the store's reason, and the run ends.
    /// </summary>
    public async Task<bool> CommitAsync(RunningJob job, PlannedCommit planned, StateContext before)
    {
        var result = await WriteAsync(job, planned).ConfigureAwait(false);
        if (result.RefusedReason is { } reason)
        {
            RuntimeLog.CommitRefusedByStore(services.Logger, job.Id, reason);
            // Once only (a failure from the last committed context holds nothing new for the store to refuse); should that be
            // refused as well, the job is left to lease expiry, and MaxAttempts ends it.
            var duration = planned.Commit.Events.Count > 0 ? planned.Commit.Events[0].Duration ?? TimeSpan.Zero : TimeSpan.Zero;
            await WriteAsync(job, planner.FailedAtOnce(job, before, reason, duration)).ConfigureAwait(false);
            return false;
        }

        return result.Applied;
    }

    private async Task<CommitResult> WriteAsync(RunningJob job, PlannedCommit planned)
    {
        CommitResult result;
        job.Committing = true;
        try
        {
            // The events are raised by the batcher the moment the commit is applied, before any later step of the job can
            // commit (they share the batcher): a job's events come out in the order its steps committed.
            // A commit that ends its job may cancel descendants (children scheduled with a ParentId): each raises its event too.
            // A limited job leaving running frees its slot: its batch raises one Ready signal for all it frees, once applied.
            result = await batcher.CommitAsync(
                planned.Commit,
                planned.Events.Count == 0 && !planned.Commit.Status.IsTerminal() ? null : applied => PublishAll(planned, applied),
                freesSlot: job.ConcurrencyLimit is not null && planned.Commit.Status != JobStatus.Running).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A commit that cannot be written leaves the job to lease expiry and takeover.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.CommitFailed(services.Logger, ex, job.Id);
            return CommitResult.Stale;
        }
        finally
        {
            // After any other commit the run ends: the job stays "committing" until it leaves the running set.
            job.Committing = planned.Commit.Status != JobStatus.Running;
        }

        if (result.Applied)
        {
            job.Version++;
            job.HasResolutions = false;
            foreach (var wait in planned.Commit.Waits)
            {
                if (wait.DueAtMs is { } due)
                {
                    services.Timers.Armed(due);
                }
            }
        }
        else if (!result.IsRefused)
        {
            RuntimeLog.CommitRefused(services.Logger, job.Id);
        }

        return result;
    }

    private void PublishAll(PlannedCommit planned, CommitResult applied)
    {
        foreach (var e in planned.Events)
        {
            services.Events.Publish(e);
        }

        CascadeEvents.Publish(services.Events, planned.Commit.JobId, planned.Commit.Status, applied.Cascaded, services.Time.GetUtcNow());
    }
}
