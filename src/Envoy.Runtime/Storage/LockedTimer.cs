namespace Envoy.Runtime.Storage;

/// <summary>
/// A due timer as <see cref="ITimerBatchTransaction.LockTimersAsync"/> read it once its job (and escalation) was locked: what
/// <see cref="StateMachine.JobStateMachine.ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/>
/// decides on.
/// </summary>
/// <param name="Timer">The timer found due.</param>
/// <param name="Job">Its job's status with the wait, read after the job's lock was granted; null when there is no such job.</param>
/// <param name="EscalationStatus">
/// For an <see cref="WaitTypes.Escalation"/> timer: the status of the job's escalation behind the wait (locked); null for
/// another timer, or when there is no such escalation.
/// </param>
public sealed record LockedTimer(DueTimer Timer, LockedWait? Job, EscalationStatus? EscalationStatus);
