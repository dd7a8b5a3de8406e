using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Envoy;

/// <summary>
/// The runtime's <see cref="ActivitySource"/> and <see cref="Meter"/> (both <see cref="EnvoyTelemetry.SourceName"/>) and its
/// instruments. Each is created once per process; a caller checks <see cref="Instrument.Enabled"/> (or
/// <see cref="ActivitySource.HasListeners"/>) before it builds tags, so that nothing is measured while nobody listens.
/// </summary>
internal static class EnvoyInstruments
{
    public static readonly ActivitySource Source = new(EnvoyTelemetry.SourceName, typeof(EnvoyInstruments).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(EnvoyTelemetry.MeterName, typeof(EnvoyInstruments).Assembly.GetName().Version?.ToString());

    public static readonly Counter<long> StepsStarted =
        Meter.CreateCounter<long>("envoy.steps.started", "{step}", "Steps started, by flow.");

    public static readonly Counter<long> StepsCompleted =
        Meter.CreateCounter<long>("envoy.steps.completed", "{step}", "Steps that ended without failing, by flow and outcome (next, blocked, done, cancelled, released).");

    public static readonly Counter<long> StepsFailed =
        Meter.CreateCounter<long>("envoy.steps.failed", "{step}", "Steps that failed, by flow and outcome (retry: retried later; failed: the job failed).");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "envoy.step.duration", "s", "How long a step's handler and router ran, by flow and outcome.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Histogram<double> ClaimDuration = Meter.CreateHistogram<double>(
        "envoy.claim.duration", "s", "How long one claim of a batch of jobs took in the store.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "envoy.commit.duration", "s", "How long one grouped write of step commits took in the store.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    public static readonly Counter<long> LeasesLost =
        Meter.CreateCounter<long>("envoy.leases.lost", "{lease}", "Leases this process found lost while their jobs' steps ran (the step is cancelled here).");

    /// <summary>Bucket bounds from 0.5 ms to 10 s: store round trips and steps both fall well inside.</summary>
    private static IReadOnlyList<double> DurationBuckets =>
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    static EnvoyInstruments() => JobStatsGauges.Create(Meter);

    /// <summary>Creates the instruments (the observable gauges among them) if they are not yet: the type's initializer does.</summary>
    public static void EnsureCreated()
    {
    }

    /// <summary>Records a store round trip's duration on a histogram, from a <see cref="TimeProvider"/> timestamp.</summary>
    public static void RecordSince(Histogram<double> histogram, TimeProvider time, long started)
    {
        if (histogram.Enabled)
        {
            histogram.Record(time.GetElapsedTime(started).TotalSeconds);
        }
    }
}
