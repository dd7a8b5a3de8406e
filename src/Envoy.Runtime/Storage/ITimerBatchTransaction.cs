namespace Envoy.Runtime.Storage;

/// <summary>
/// A store transaction that fires a batch of due timers set-based: it reads the timers' locked state in one go and executes the
/// <see cref="TimerBatch"/> that <see cref="StateMachine.JobStateMachine"/> planned from it in one go, instead of a few
/// statements per timer (<see cref="IJobTransaction"/>). The store decides nothing: which wait resolves with what, which
/// escalation expires and which history entries are written is the state machine's call.
/// </summary>
public interface ITimerBatchTransaction
{
    /// <summary>What the transaction changed, published once it commits (the state machine records the jobs made ready).</summary>
    StoreEffects Effects { get; }

    /// <summary>
    /// Locks the jobs of <paramref name="due"/> (and the escalations behind escalation timers) and reads each job's status and
    /// wait as they are once the locks are held. A timer whose job or escalation another transaction holds may be left out
    /// (where the store skips locked rows): it is left to a later pass.
    /// </summary>
    ValueTask<IReadOnlyList<LockedTimer>> LockTimersAsync(IReadOnlyList<DueTimer> due, CancellationToken cancellationToken);

    /// <summary>
    /// Executes <paramref name="batch"/>: expires its escalations, resolves its waits (each only while still pending), appends
    /// its history entries in order, then makes each blocking job of a resolved wait pending (due at <see cref="TimerBatch.NowMs"/>)
    /// when none of its waits is pending; returns the jobs it made pending.
    /// </summary>
    ValueTask<IReadOnlyList<UnblockedJob>> WriteTimerBatchAsync(TimerBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the pending jobs <paramref name="jobIds"/> (made pending by <see cref="WriteTimerBatchAsync"/> in this transaction)
    /// running, leased to <paramref name="lease"/>'s owner, as a claim does (attempts, version, started time, a
    /// <see cref="JobEventKind.Claimed"/> history entry); returns their records with their wait resolutions attached. A job no
    /// longer pending is left out.
    /// </summary>
    ValueTask<IReadOnlyList<JobRecord>> StartJobsAsync(IReadOnlyList<string> jobIds, JobLease lease, long nowMs, CancellationToken cancellationToken);
}
