namespace Envoy.Runtime.Storage;

/// <summary>
/// The writes of a batch of fired timers, planned by <see cref="StateMachine.JobStateMachine"/> for a store to execute in one
/// go (<see cref="ITimerBatchTransaction.WriteTimerBatchAsync"/>): escalations expired first, then the waits' resolutions,
/// the history entries in this order, and last the jobs of the resolved waits made pending when none of their waits is left.
/// </summary>
/// <param name="ExpiredEscalations">The pending escalations behind timed-out waits, to answer as expired.</param>
/// <param name="Resolutions">The pending waits to resolve (each of a job not ended).</param>
/// <param name="Events">The history entries to append, in order.</param>
/// <param name="NowMs">The firing time: a job unblocked is due then.</param>
public sealed record TimerBatch(IReadOnlyList<EscalationReply> ExpiredEscalations, IReadOnlyList<WaitResolution> Resolutions, IReadOnlyList<JobEvent> Events, long NowMs);
