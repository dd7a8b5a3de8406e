using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Storage;

/// <summary>
/// The store's coordination port, what the workers and the maintenance leader compose: wake-ups, claims, leases, the due
/// time of the next job, the maintenance pass and its leader lock, and the store-wide event feed. All times are Unix
/// milliseconds.
/// </summary>
public interface IJobCoordinationStore
{
    /// <summary>The signals this store raises and listens to.</summary>
    IJobSignals Signals { get; }

    /// <summary>
    /// What carries scheduler events between the processes of this store (the store-wide event feed, <c>StoreEvents</c>), or
    /// null when only this scheduler's own events can be seen (the default).
    /// </summary>
    IEventTransport? EventTransport => null;

    /// <summary>Claims pending due jobs (by priority, then run-at, then age) and running jobs whose lease expired.</summary>
    Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of running jobs still owned by <paramref name="owner"/>.</summary>
    /// <returns>The ids whose lease was extended (the others were lost).</returns>
    Task<IReadOnlyCollection<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> jobIds, long leaseUntilMs, CancellationToken cancellationToken = default);

    /// <summary>The earliest run-at of a pending job not yet due, or null.</summary>
    Task<long?> NextDueAtAsync(long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// One maintenance pass, run by the maintenance leader: running jobs whose lease expired before <paramref name="nowMs"/> go
    /// back to pending (at most <paramref name="limit"/>; history <see cref="JobEventKind.LeaseExpired"/>), and pending jobs whose
    /// run-at came in (<paramref name="sinceMs"/>, <paramref name="nowMs"/>] are counted (delayed jobs promoted to due). When
    /// either found any, idle workers everywhere are woken.
    /// </summary>
    Task<MaintenanceResult> RunMaintenanceAsync(long sinceMs, long nowMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>A new holder of the maintenance leader lock shared by every scheduler on this store.</summary>
    ILeaderLock CreateLeaderLock();

    /// <summary>
    /// Fires up to <paramref name="limit"/> timers due at <paramref name="nowMs"/> (earliest first): pending waits with a due
    /// time (<see cref="NewWait.DueAtMs"/>) at or before it, of jobs that are blocking. Each is resolved by
    /// <see cref="StateMachine.JobStateMachine.ResolveTimerAsync"/> in the store's transaction, so a timer fires exactly once
    /// however many schedulers fire at once, never after its wait was resolved, and never for a job that ended (a cancelled
    /// job's timers never fire). Jobs left with no pending wait become pending, and idle workers everywhere are woken.
    /// </summary>
    /// <returns>
    /// How many due timers this call took (at most <paramref name="limit"/>): 0 when none was due or another scheduler held
    /// them all; a timer taken but resolved elsewhere first is left alone.
    /// </returns>
    Task<int> ResolveDueTimersAsync(long nowMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ResolveDueTimersAsync(long, int, CancellationToken)"/>, and in the same transaction starts up to
    /// <see cref="ClaimRequest.Max"/> of the jobs it made pending for <see cref="ClaimRequest.Owner"/> (running, leased until
    /// <see cref="ClaimRequest.LeaseUntilMs"/>, a <see cref="JobEventKind.Claimed"/> entry), as a claim would take them but without
    /// its round trips: which ones is <see cref="StateMachine.JobStateMachine.ChooseTimerStarts"/>'s rule (never a job with a
    /// concurrency limit, only flows and versions the requester has). The requester reserved that many worker slots and runs
    /// the started jobs; the others are left pending for any worker (idle workers are woken). Null <paramref name="start"/>, or a
    /// store that cannot start jobs in its firing transaction (the default): nothing is started.
    /// </summary>
    async Task<FiredTimers> ResolveDueTimersAsync(long nowMs, int limit, ClaimRequest? start, CancellationToken cancellationToken = default) =>
        new(await ResolveDueTimersAsync(nowMs, limit, cancellationToken).ConfigureAwait(false), []);

    /// <summary>The earliest due time of a pending timer of a blocking job (due or not yet), or null when there is none.</summary>
    Task<long?> NextTimerDueAtAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// One batch of the retention purge, run by the maintenance leader: deletes at most <paramref name="limit"/> finished jobs
    /// (done, failed, cancelled) that finished before their flow's cutoff in <paramref name="cutoffs"/>, oldest first, with
    /// their history, waits and escalations, in one short transaction. A tree goes bottom up: a job is kept while it has a
    /// child left, and a child while its parent exists and is unfinished or not yet past its own retention (so a child never
    /// goes before its parent ended, and a parent's children stay as long as it does). Rows a concurrent transaction holds are skipped, not waited for. Found through an index on the
    /// finish time of finished jobs: a batch never scans the table.
    /// </summary>
    Task<PurgeResult> PurgeJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Unfinished jobs (pending, running, blocking) of <paramref name="flow"/> created before <paramref name="createdBeforeMs"/>,
    /// oldest first, at most <paramref name="limit"/>: those past the flow's <c>MaxJobAge</c>.
    /// </summary>
    Task<IReadOnlyList<AgedJob>> FindAgedJobsAsync(string flow, long createdBeforeMs, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The limits shared by every process on this store (<c>FlowOptions.RateLimit</c>, the LLM throttles), or null when this
    /// store keeps none (then a flow with a rate limit is refused at registration).
    /// </summary>
    IRateLimitStore? RateLimits => null;
}
