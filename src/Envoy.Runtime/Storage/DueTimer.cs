namespace Envoy.Runtime.Storage;

/// <summary>A pending wait whose timer is due, as a store found it to fire (see <see cref="StateMachine.JobStateMachine.ResolveTimerAsync"/>).</summary>
/// <param name="JobId">The wait's job.</param>
/// <param name="WaitId">The wait.</param>
/// <param name="Type">The wait's type (<see cref="WaitTypes"/>): a <see cref="WaitTypes.Timer"/> resolves with success, any other with the error <c>timeout</c>.</param>
public sealed record DueTimer(string JobId, string WaitId, string Type);
