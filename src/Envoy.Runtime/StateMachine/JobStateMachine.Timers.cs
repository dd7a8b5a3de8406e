using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

public static partial class JobStateMachine
{
    /// <summary>
    /// Fires a due timer: its wait must still be pending and its job not ended (a cancelled job's timer never fires; a wait
    /// resolved first is left alone: <see cref="StoreOutcome.WaitAlreadyResolved"/>), so that it fires exactly once however
    /// many schedulers try. A <see cref="WaitTypes.Timer"/> wait (a sleep) resolves with success; any other wait with the error
    /// <see cref="Wait.TimeoutError"/>, and an escalation still pending behind it becomes <see cref="EscalationStatus.Expired"/>
    /// in the same transaction. Its job is unblocked when no wait is left. The rule is <see cref="DecideTimer"/>, shared with
    /// the set-based <see cref="ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/>.
    /// </summary>
    /// <remarks>Locks in the order of a reply to an escalation (the escalation, then its job), so the two never deadlock.</remarks>
    public static async ValueTask<StoreResult> ResolveTimerAsync(IJobTransaction tx, DueTimer timer, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(timer);
        var locked = await LockTimerAsync(tx, timer, cancellationToken).ConfigureAwait(false);
        var decision = DecideTimer(locked, nowMs);
        if (decision.Resolution is not { } resolution)
        {
            return decision.Result;
        }

        if (decision.Expiry is { } expiry)
        {
            await tx.WriteEscalationReplyAsync(expiry, cancellationToken).ConfigureAwait(false);
            await tx.AppendEventAsync(ExpiredEvent(timer.JobId, nowMs), cancellationToken).ConfigureAwait(false);
        }

        return await ApplyResolutionAsync(tx, resolution, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fires a batch of due timers with the rule of <see cref="ResolveTimerAsync"/>, set-based: the store reads the locked
    /// state of every timer at once (<see cref="ITimerBatchTransaction.LockTimersAsync"/>), this plans the writes of the ones
    /// that fire (<see cref="TimerBatch"/>: escalations expired, waits resolved, history entries) and the store executes them at
    /// once (<see cref="ITimerBatchTransaction.WriteTimerBatchAsync"/>); the jobs it made pending are marked ready. Returns how
    /// many timers the store locked (timers it skipped are left to a later pass).
    /// </summary>
    public static async ValueTask<int> ResolveTimersAsync(ITimerBatchTransaction tx, IReadOnlyList<DueTimer> due, long nowMs, CancellationToken cancellationToken) =>
        (await ResolveTimersAsync(tx, due, nowMs, null, cancellationToken).ConfigureAwait(false)).Taken;

    /// <summary>
    /// <see cref="ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/>, then starts
    /// in the same transaction the jobs it made pending that <paramref name="start"/>'s requester may run at once
    /// (<see cref="ChooseTimerStarts"/>, executed by <see cref="ITimerBatchTransaction.StartJobsAsync"/>): running, leased to it,
    /// without the wake-up and the claim that would follow otherwise. Only the jobs left pending mark the store ready.
    /// </summary>
    public static async ValueTask<FiredTimers> ResolveTimersAsync(ITimerBatchTransaction tx, IReadOnlyList<DueTimer> due, long nowMs, ClaimRequest? start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(due);
        if (due.Count == 0)
        {
            return new FiredTimers(0, []);
        }

        var locked = await tx.LockTimersAsync(due, cancellationToken).ConfigureAwait(false);
        var batch = PlanTimers(locked, nowMs);
        if (batch.Resolutions.Count == 0)
        {
            return new FiredTimers(locked.Count, []);
        }

        var unblocked = await tx.WriteTimerBatchAsync(batch, cancellationToken).ConfigureAwait(false);
        var starting = ChooseTimerStarts(unblocked, start);
        IReadOnlyList<JobRecord> started = starting.Count == 0 || start is null
            ? []
            : await tx.StartJobsAsync(starting, new JobLease(start.Owner, start.LeaseUntilMs), nowMs, cancellationToken).ConfigureAwait(false);
        var running = new HashSet<string>(StringComparer.Ordinal);
        foreach (var job in started)
        {
            running.Add(job.Id);
            tx.Effects.StatusWritten(job.Id, job.Status, job.Version);
        }

        foreach (var job in unblocked.Where(j => !running.Contains(j.Id)))
        {
            tx.Effects.Ready = true;
            tx.Effects.StatusChanged(job.Id);
        }

        return new FiredTimers(locked.Count, started);
    }

    /// <summary>
    /// <see cref="ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/> on a store
    /// without set-based statements: each timer is locked and written with the primitive members of <paramref name="tx"/>.
    /// </summary>
    public static ValueTask<int> ResolveTimersAsync(IJobTransaction tx, IReadOnlyList<DueTimer> due, long nowMs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return ResolveTimersAsync(new TimerBatchOverJobTransaction(tx), due, nowMs, cancellationToken);
    }

    /// <summary>
    /// <see cref="ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, ClaimRequest?, CancellationToken)"/>
    /// on a store without set-based statements (the primitive members of <paramref name="tx"/>, one timer and job at a time).
    /// </summary>
    public static ValueTask<FiredTimers> ResolveTimersAsync(IJobTransaction tx, IReadOnlyList<DueTimer> due, long nowMs, ClaimRequest? start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return ResolveTimersAsync(new TimerBatchOverJobTransaction(tx), due, nowMs, start, cancellationToken);
    }

    /// <summary>
    /// The rule of which jobs made pending by fired timers the firing scheduler starts at once (the others stay pending for a
    /// claim): at most <see cref="ClaimRequest.Max"/> (the worker slots it reserved), in the order they fired; only a job of a
    /// flow it has (<see cref="ClaimRequest.Flows"/>) and, when the job recorded a version, of a (flow, version) it has
    /// (<see cref="ClaimRequest.FlowVersions"/>), as a claim would take it; never a job with a concurrency limit (a claim counts
    /// its key's running jobs first, so it waits for one).
    /// </summary>
    public static IReadOnlyList<string> ChooseTimerStarts(IReadOnlyList<UnblockedJob> unblocked, ClaimRequest? start)
    {
        ArgumentNullException.ThrowIfNull(unblocked);
        if (start is null || start.Max <= 0)
        {
            return [];
        }

        var chosen = new List<string>();
        foreach (var job in unblocked)
        {
            if (chosen.Count == start.Max)
            {
                break;
            }

            if (job.Flow is { } flow
                && job.ConcurrencyLimit is null
                && start.Flows.Contains(flow)
                && (start.FlowVersions is null || job.FlowVersion.Length == 0 || start.FlowVersions.Contains(FlowVersionKey.Of(flow, job.FlowVersion))))
            {
                chosen.Add(job.Id);
            }
        }

        return chosen;
    }

    /// <summary>Plans the writes of the timers in <paramref name="locked"/> that fire (<see cref="DecideTimer"/>), in their order.</summary>
    internal static TimerBatch PlanTimers(IReadOnlyList<LockedTimer> locked, long nowMs)
    {
        var expired = new List<EscalationReply>();
        var resolutions = new List<WaitResolution>();
        var events = new List<JobEvent>();
        foreach (var timer in locked)
        {
            var decision = DecideTimer(timer, nowMs);
            if (decision.Resolution is not { } resolution)
            {
                continue;
            }

            if (decision.Expiry is { } expiry)
            {
                expired.Add(expiry);
                events.Add(ExpiredEvent(timer.Timer.JobId, nowMs));
            }

            resolutions.Add(resolution);
            events.Add(ResolvedEvent(resolution));
        }

        return new TimerBatch(expired, resolutions, events, nowMs);
    }

    /// <summary>
    /// The rule of a due timer, given its locked state: it fires only for a pending wait of a job not ended whose due time has
    /// come (a wait resolved and registered again under the same id since it was found due is not due yet). A sleep resolves
    /// with success, any other wait with <see cref="Wait.TimeoutError"/>; a pending escalation behind it expires.
    /// </summary>
    internal static TimerDecision DecideTimer(LockedTimer locked, long nowMs)
    {
        var timer = locked.Timer;
        if (locked.Job is not { } job)
        {
            return new TimerDecision(new StoreResult(StoreOutcome.JobNotFound), null, null);
        }

        if (job.JobStatus.IsTerminal())
        {
            return new TimerDecision(new StoreResult(StoreOutcome.JobTerminal, job.JobStatus), null, null);
        }

        if (job.Wait is not { } wait)
        {
            return new TimerDecision(new StoreResult(StoreOutcome.WaitNotFound), null, null);
        }

        if (wait.Status != WaitResolutionKind.Pending || wait.DueAtMs is not { } due || due > nowMs)
        {
            return new TimerDecision(new StoreResult(StoreOutcome.WaitAlreadyResolved), null, null);
        }

        var expiry = timer.Type == WaitTypes.Escalation && locked.EscalationStatus == EscalationStatus.Pending
            ? new EscalationReply(timer.WaitId, EscalationStatus.Expired, null, null, nowMs)
            : null;
        var resolution = wait.Type == WaitTypes.Timer
            ? new WaitResolution(timer.JobId, timer.WaitId, WaitResolutionKind.Success, null, null, nowMs)
            : new WaitResolution(timer.JobId, timer.WaitId, WaitResolutionKind.Error, null, Wait.TimeoutError, nowMs);
        return new TimerDecision(StoreResult.Ok, resolution, expiry);
    }

    /// <summary>Locks one timer's escalation (for an escalation timer) and then its job, reading the wait: the order of a reply.</summary>
    internal static async ValueTask<LockedTimer> LockTimerAsync(IJobTransaction tx, DueTimer timer, CancellationToken cancellationToken)
    {
        var escalation = timer.Type == WaitTypes.Escalation
            ? await tx.LockEscalationAsync(timer.WaitId, cancellationToken).ConfigureAwait(false)
            : null;
        var job = await tx.LockJobWaitAsync(timer.JobId, timer.WaitId, cancellationToken).ConfigureAwait(false);
        return new LockedTimer(timer, job, escalation is not null && escalation.JobId == timer.JobId ? escalation.Status : null);
    }

    private static JobEvent ExpiredEvent(string jobId, long nowMs) =>
        new(jobId, FromMs(nowMs), JobEventKind.EscalationAnswered, Error: Wait.TimeoutError);

    private static JobEvent ResolvedEvent(WaitResolution resolution) =>
        new(resolution.JobId, FromMs(resolution.NowMs), JobEventKind.WaitResolved, Error: resolution.Error);
}
