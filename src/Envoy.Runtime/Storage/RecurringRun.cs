namespace Envoy.Runtime.Storage;

/// <summary>
/// A job a recurring schedule created (<see cref="IJobWriteStore.RecordRecurringRunAsync"/>). With <see cref="Advance"/>, an
/// occurrence fired: the schedule's next occurrence moves from <see cref="RecurringAdvance.ExpectedNextRunAtMs"/> to
/// <see cref="RecurringAdvance.NextRunAtMs"/>, only if it still is the expected one (of several processes firing the same
/// occurrence, one moves it). Without, a run by hand: the next occurrence is left as it is. Times are Unix milliseconds.
/// </summary>
/// <param name="Id">The schedule's id.</param>
/// <param name="JobId">The job created.</param>
/// <param name="RunAtMs">When it was created.</param>
/// <param name="Advance">The move of the next occurrence, or null.</param>
public sealed record RecurringRun(string Id, string JobId, long RunAtMs, RecurringAdvance? Advance = null);
