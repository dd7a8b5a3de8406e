namespace Envoy;

/// <summary>One entry of a job's history.</summary>
/// <param name="JobId">The job.</param>
/// <param name="At">When it happened.</param>
/// <param name="Kind">What happened.</param>
/// <param name="State">The state concerned, if any.</param>
/// <param name="Step">The step concerned, if any.</param>
/// <param name="From">The status before.</param>
/// <param name="To">The status after.</param>
/// <param name="Duration">How long the step ran.</param>
/// <param name="Error">The error, if any.</param>
public sealed record JobEvent(
    string JobId,
    DateTimeOffset At,
    JobEventKind Kind,
    string? State = null,
    int? Step = null,
    JobStatus? From = null,
    JobStatus? To = null,
    TimeSpan? Duration = null,
    string? Error = null);
