using Envoy.Runtime.Storage;

namespace Envoy.Runtime.StateMachine;

/// <summary>What the rule of a due timer decided (<see cref="JobStateMachine.DecideTimer"/>).</summary>
/// <param name="Result">The outcome: <see cref="StoreResult.Ok"/> when it fires, else why not.</param>
/// <param name="Resolution">The wait's resolution when it fires; null when it does not.</param>
/// <param name="Expiry">The expiry of the pending escalation behind it, when there is one.</param>
internal sealed record TimerDecision(StoreResult Result, WaitResolution? Resolution, EscalationReply? Expiry);
