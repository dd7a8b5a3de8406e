namespace Envoy.Runtime.Storage;

/// <summary>
/// A blocking job that a fired timer made pending, with what decides whether the scheduler firing it may start it at once
/// (<see cref="StateMachine.JobStateMachine.ChooseTimerStarts"/>).
/// </summary>
/// <param name="Id">The job.</param>
/// <param name="Flow">Its flow; null when the store did not read it (the job is then never started by the firing).</param>
/// <param name="FlowVersion">Its flow version (<c>""</c>: none recorded).</param>
/// <param name="ConcurrencyLimit">The concurrency limit it was scheduled with, or null (unlimited).</param>
public sealed record UnblockedJob(string Id, string? Flow, string FlowVersion, int? ConcurrencyLimit);
