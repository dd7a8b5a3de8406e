using System.Diagnostics;
using Envoy.Runtime.Execution;

namespace Envoy;

/// <summary>
/// A step's span and metrics. The span (<c>envoy.step {flow}.{state}</c>) starts a trace of its own and links to the trace
/// context stored with the job (the span that scheduled it, or the parent's step for a child), so that it joins them whichever
/// process runs it. Nothing is allocated while nobody listens: the instruments' <c>Enabled</c> and the source's listeners are
/// checked first.
/// </summary>
internal static class StepTelemetry
{
    public const string Next = "next";
    public const string Blocked = "blocked";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Retry = "retry";
    public const string Cancelled = "cancelled";
    public const string Released = "released";
    public const string Dropped = "dropped";

    /// <summary>Counts the step as started and starts its span (null while nobody listens to the source).</summary>
    public static Activity? Start(RunningJob job, StateContext before)
    {
        if (EnvoyInstruments.StepsStarted.Enabled)
        {
            EnvoyInstruments.StepsStarted.Add(1, new KeyValuePair<string, object?>(EnvoyTelemetry.FlowTag, job.Flow));
        }

        if (!EnvoyInstruments.Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = StoredTraceContext.TryParse(job.TraceParent, out var scheduledBy) ? [new ActivityLink(scheduledBy)] : null;
        // A root span: whatever span is current here (the caller of an eager start) is not the step's parent; the link is.
        Activity.Current = null;
        var activity = EnvoyInstruments.Source.StartActivity(
            EnvoyTelemetry.StepSpanPrefix + " " + job.Flow + "." + before.State, ActivityKind.Internal, default(ActivityContext), links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(EnvoyTelemetry.FlowTag, job.Flow);
            activity.SetTag(EnvoyTelemetry.StateTag, before.State);
            activity.SetTag(EnvoyTelemetry.StepTag, before.Step);
            activity.SetTag(EnvoyTelemetry.JobIdTag, job.Id);
        }

        return activity;
    }

    /// <summary>What a planned commit says the step led to (null plan: nothing committed).</summary>
    public static string OutcomeOf(PlannedCommit? planned, bool released) => planned?.Commit.Status switch
    {
        null => Dropped,
        JobStatus.Running => Next,
        JobStatus.Blocking => Blocked,
        JobStatus.Done => Done,
        JobStatus.Failed => Failed,
        JobStatus.Cancelled => Cancelled,
        _ => released ? Released : Retry,
    };

    /// <summary>Records the step's outcome and duration, and ends its span (an error status when it failed).</summary>
    public static void Stop(Activity? activity, RunningJob job, string outcome, TimeSpan duration, string? error)
    {
        var failed = outcome is Failed or Retry;
        var counter = failed ? EnvoyInstruments.StepsFailed : EnvoyInstruments.StepsCompleted;
        if (counter.Enabled || EnvoyInstruments.StepDuration.Enabled)
        {
            var flow = new KeyValuePair<string, object?>(EnvoyTelemetry.FlowTag, job.Flow);
            var tag = new KeyValuePair<string, object?>(EnvoyTelemetry.OutcomeTag, outcome);
            counter.Add(1, flow, tag);
            EnvoyInstruments.StepDuration.Record(duration.TotalSeconds, flow, tag);
        }

        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag(EnvoyTelemetry.OutcomeTag, outcome);
            if (failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, error);
            }
        }

        activity.Dispose();
    }
}
