namespace Envoy.Runtime.Storage;

/// <summary>A recurring schedule's next occurrence moved on after it fired (<see cref="RecurringRun.Advance"/>). Unix milliseconds.</summary>
/// <param name="ExpectedNextRunAtMs">The next occurrence as read before firing: the move applies only if it is still stored.</param>
/// <param name="NextRunAtMs">The new next occurrence, or null when the expression has no future occurrence.</param>
public sealed record RecurringAdvance(long ExpectedNextRunAtMs, long? NextRunAtMs);
