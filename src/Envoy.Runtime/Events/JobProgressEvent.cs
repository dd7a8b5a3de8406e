using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>
/// A running step reported progress (<see cref="StateContext.Report(object?)"/>): a live, non-durable event, never stored. Reports
/// are coalesced per job (at most one event per <see cref="JobProgressLimits.Interval"/> carrying the latest value; the last
/// report of a step is always sent, before the step's own events), so <paramref name="Sequence"/> may skip numbers.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="At">When the progress was reported.</param>
/// <param name="Flow">The job's flow.</param>
/// <param name="State">The state whose step reported.</param>
/// <param name="Step">The step that reported.</param>
/// <param name="Sequence">The report's number within this run of the job on its worker, from 1, increasing (a gap: reports coalesced away).</param>
/// <param name="Progress">The reported value as JSON.</param>
public sealed record JobProgressEvent(string JobId, DateTimeOffset At, string Flow, string State, int Step, long Sequence, JsonNode? Progress)
    : SchedulerEvent(JobId, At);
