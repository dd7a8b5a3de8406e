namespace Envoy;

/// <summary>
/// The names under which Envoy reports its traces and metrics, for an app's OpenTelemetry wiring:
/// <c>tracing.AddSource(EnvoyTelemetry.SourceName)</c> and <c>metrics.AddMeter(EnvoyTelemetry.MeterName)</c>. The runtime and
/// the agents package each have one <see cref="System.Diagnostics.ActivitySource"/> and one
/// <see cref="System.Diagnostics.Metrics.Meter"/> of these names, from the BCL only: nothing is measured or allocated while
/// nobody listens.
/// </summary>
public static class EnvoyTelemetry
{
    /// <summary>The name of Envoy's <see cref="System.Diagnostics.ActivitySource"/>: <c>Envoy</c>.</summary>
    public const string SourceName = "Envoy";

    /// <summary>The name of Envoy's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Envoy</c>.</summary>
    public const string MeterName = "Envoy";

    /// <summary>The span of one step: <c>envoy.step {flow}.{state}</c> (this prefix, then the flow and the state).</summary>
    public const string StepSpanPrefix = "envoy.step";

    /// <summary>Span and metric tag: the job's flow.</summary>
    public const string FlowTag = "envoy.flow";

    /// <summary>Span tag: the state the step ran.</summary>
    public const string StateTag = "envoy.state";

    /// <summary>Span tag: the step number (1 for the job's first step).</summary>
    public const string StepTag = "envoy.step";

    /// <summary>Span tag: the job id.</summary>
    public const string JobIdTag = "envoy.job.id";

    /// <summary>
    /// Span and metric tag: what the step led to: <c>next</c> (another step follows), <c>blocked</c> (it waits), <c>done</c>,
    /// <c>failed</c> (the job failed), <c>retry</c> (it failed and will be retried), <c>cancelled</c>, <c>released</c> (given back
    /// as pending when the worker stopped) or <c>dropped</c> (cancelled or its lease lost while it ran: nothing committed).
    /// </summary>
    public const string OutcomeTag = "envoy.outcome";

    /// <summary>Metric tag of <c>envoy.jobs</c>: the job status, in lower case (<c>pending</c>, <c>running</c>, ...).</summary>
    public const string StatusTag = "envoy.job.status";
}
