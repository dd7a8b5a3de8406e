namespace Envoy.AspNetCore.Json;

/// <summary>
/// One entry of a job's history as the API writes it: <c>{ kind, at, state, step, fromStatus, toStatus, durationMs, error }</c>,
/// <c>kind</c> the lower-camel name of <see cref="JobEventKind"/> and the statuses those of <see cref="JobStatus"/>.
/// </summary>
/// <param name="Kind">What happened (<c>scheduled</c>, <c>claimed</c>, <c>stepCompleted</c>, ...).</param>
/// <param name="At">When (UTC).</param>
/// <param name="State">The state concerned, if any.</param>
/// <param name="Step">The step concerned (1-based), if any.</param>
/// <param name="FromStatus">The status before, if it changed.</param>
/// <param name="ToStatus">The status after, if it changed.</param>
/// <param name="DurationMs">How long the step ran, in milliseconds.</param>
/// <param name="Error">The error, if any.</param>
public sealed record JobEventJson(
    string Kind,
    DateTime At,
    string? State,
    int? Step,
    string? FromStatus,
    string? ToStatus,
    double? DurationMs,
    string? Error)
{
    /// <summary>The API form of <paramref name="entry"/>.</summary>
    public static JobEventJson From(JobEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new JobEventJson(
            JsonNames.Of(entry.Kind),
            entry.At.UtcDateTime,
            entry.State,
            entry.Step,
            entry.From is { } from ? JsonNames.Of(from) : null,
            entry.To is { } to ? JsonNames.Of(to) : null,
            entry.Duration?.TotalMilliseconds,
            entry.Error);
    }
}
