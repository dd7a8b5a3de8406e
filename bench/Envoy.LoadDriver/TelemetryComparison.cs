using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Envoy.LoadDriver;

/// <summary>
/// <c>--telemetry-compare</c>: the cost of Envoy's traces and metrics for the workers. After the run phase (nobody listening),
/// alternates measured phases of <c>--n</c> jobs with an <see cref="ActivityListener"/> recording every step span and a
/// <see cref="MeterListener"/> taking every measurement of the <c>Envoy</c> meter (as an OpenTelemetry SDK with a no-op exporter
/// would, with the gauges collected every second), and without them, twice each; prints the steps/s of both and their ratio.
/// A listening phase runs inside a span of the driver's, so every job it schedules stores its trace context and every step
/// span carries a link, as with jobs scheduled from traced HTTP requests.
/// </summary>
internal static class TelemetryComparison
{
    /// <summary>How many (listening, not listening) pairs of phases follow the run.</summary>
    public const int Rounds = 2;

    /// <summary>The driver's own span around a listening phase: every job scheduled in it stores its trace context.</summary>
    private const string PhasesName = "Envoy.LoadDriver";

    private static readonly ActivitySource Phases = new(PhasesName);

    public static async Task RunAsync(DriverOptions options, Driver driver, PhaseResult first, CancellationToken timeout)
    {
        var none = new List<double> { first.Steps / first.Elapsed.TotalSeconds };
        var listening = new List<double>();
        long spans = 0;
        long measurements = 0;
        for (var round = 0; round < Rounds; round++)
        {
            using (var activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == EnvoyTelemetry.SourceName || s.Name == PhasesName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ => Interlocked.Increment(ref spans),
            })
            using (var meters = new MeterListener())
            {
                ActivitySource.AddActivityListener(activities);
                meters.InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == EnvoyTelemetry.MeterName)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                };
                meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref measurements));
                meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref measurements));
                meters.Start();
                using var collect = new CancellationTokenSource();
                var collecting = Task.Run(
                    async () =>
                    {
                        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
                        while (await timer.WaitForNextTickAsync(collect.Token))
                        {
                            meters.RecordObservableInstruments();
                        }
                    },
                    timeout);
                PhaseResult phase;
                using (Phases.StartActivity("telemetry-phase"))
                {
                    phase = await driver.RunPhaseAsync($"telemetry-listening-{round + 1}", options.N, timeout);
                }

                listening.Add(phase.Steps / phase.Elapsed.TotalSeconds);
                await collect.CancelAsync();
                await collecting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                await Console.Error.WriteLineAsync($"telemetry: listening phase {round + 1}: {phase.Steps / phase.Elapsed.TotalSeconds:F0} steps/s");
            }

            var quiet = await driver.RunPhaseAsync($"telemetry-none-{round + 1}", options.N, timeout);
            none.Add(quiet.Steps / quiet.Elapsed.TotalSeconds);
        }

        var noneMean = none.Average();
        var listeningMean = listening.Average();
        await Console.Out.WriteLineAsync(
            $"TELEMETRY workload={options.Workload} store={options.Store} n={options.N} none_steps_per_sec={noneMean:F1} listening_steps_per_sec={listeningMean:F1} " +
            $"ratio={listeningMean / noneMean:F3} spans={Interlocked.Read(ref spans)} measurements={Interlocked.Read(ref measurements)} " +
            $"none=[{string.Join(", ", none.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}] " +
            $"listening=[{string.Join(", ", listening.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}]");
    }

    /// <summary>The extra top-level jobs these phases run (for the tracker's capacity).</summary>
    public static long ExtraJobs(DriverOptions options) => options.TelemetryCompare ? Rounds * 2L * options.N : 0;
}
