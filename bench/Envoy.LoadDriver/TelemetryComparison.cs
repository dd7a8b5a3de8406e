using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Envoy.LoadDriver;

/// <summary>
/// <c>--telemetry-compare</c>: the cost of Envoy's traces and metrics for the workers. After the run phase (nobody listening),
/// runs one listening phase to warm up the code of spans and measurements (left out, like the run phase), then alternates
/// measured phases of <c>--n</c> jobs with an <see cref="ActivityListener"/> recording every step span and a
/// <see cref="MeterListener"/> taking every measurement of the <c>Envoy</c> meter (as an OpenTelemetry SDK with a no-op exporter
/// would, with the gauges collected every second), and without them, three times each in the order A B B A A B (the store grows with
/// every phase); prints the steps/s of both, their ratio and each pair's, and this process's CPU time and allocations per step in
/// both (<c>cpu_ratio</c> = CPU per step without / with: the cost of listening, less sensitive than steps/s to other work on
/// the machine). The run phase (JIT warm-up, a smaller store) is shown apart and left out of the means.
/// A listening phase runs inside a span of the driver's, so every job it schedules stores its trace context and every step
/// span carries a link, as with jobs scheduled from traced HTTP requests.
/// </summary>
internal static class TelemetryComparison
{
    /// <summary>How many (listening, not listening) pairs of phases follow the run.</summary>
    public const int Rounds = 3;

    /// <summary>The driver's own span around a listening phase: every job scheduled in it stores its trace context.</summary>
    private const string PhasesName = "Envoy.LoadDriver";

    private static readonly ActivitySource Phases = new(PhasesName);

    public static async Task RunAsync(DriverOptions options, Driver driver, PhaseResult first, CancellationToken timeout)
    {
        var warmUp = first.Steps / first.Elapsed.TotalSeconds;
        var none = new List<PhaseResult>();
        var listening = new List<PhaseResult>();
        var spans = new long[1];
        var measurements = new long[1];

        // The run phase warmed up (JIT, tiered compilation) the code nobody listening takes; the code of spans and measurements
        // was never run. A listening phase of its own warms it up, left out of the figures like the run phase.
        var listeningWarmUp = await RunListeningAsync(options, driver, -1, spans, measurements, timeout);
        Interlocked.Exchange(ref spans[0], 0);
        Interlocked.Exchange(ref measurements[0], 0);
        for (var round = 0; round < Rounds; round++)
        {
            // A B, then B A: the store grows with every phase, so a fixed order would favour the phase that runs first.
            var listeningFirst = round % 2 == 0;
            for (var half = 0; half < 2; half++)
            {
                if ((half == 0) == listeningFirst)
                {
                    listening.Add(await RunListeningAsync(options, driver, round, spans, measurements, timeout));
                }
                else
                {
                    none.Add(await driver.RunPhaseAsync($"telemetry-none-{round + 1}", options.N, timeout));
                }
            }
        }

        static double Rate(PhaseResult p) => p.Steps / p.Elapsed.TotalSeconds;
        static double CpuPerStep(IEnumerable<PhaseResult> phases) => phases.Sum(p => p.Cpu.TotalMicroseconds) / phases.Sum(p => p.Steps);
        static double BytesPerStep(IEnumerable<PhaseResult> phases) => (double)phases.Sum(p => p.Allocated) / phases.Sum(p => p.Steps);
        static string List(IEnumerable<double> values, string format) =>
            string.Join(", ", values.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)));
        var noneMean = none.Average(Rate);
        var listeningMean = listening.Average(Rate);
        // The CPU this process spent per step (the workers and, on SQLite, the store run in it): what telemetry adds, and less
        // sensitive than steps/s to other work on the machine.
        var (noneCpu, listeningCpu) = (CpuPerStep(none), CpuPerStep(listening));
        await Console.Out.WriteLineAsync(
            $"TELEMETRY workload={options.Workload} store={options.Store} n={options.N} none_steps_per_sec={noneMean:F1} listening_steps_per_sec={listeningMean:F1} " +
            $"ratio={listeningMean / noneMean:F3} spans={Interlocked.Read(ref spans[0])} measurements={Interlocked.Read(ref measurements[0])} " +
            $"warmup={warmUp:F0} listening_warmup={listeningWarmUp.Steps / listeningWarmUp.Elapsed.TotalSeconds:F0} none=[{List(none.Select(Rate), "F0")}] listening=[{List(listening.Select(Rate), "F0")}] " +
            $"pair_ratios=[{List(listening.Zip(none, (l, n) => Rate(l) / Rate(n)), "F3")}] " +
            $"none_cpu_us_per_step={noneCpu:F1} listening_cpu_us_per_step={listeningCpu:F1} cpu_ratio={noneCpu / listeningCpu:F3} " +
            $"none_bytes_per_step={BytesPerStep(none):F0} listening_bytes_per_step={BytesPerStep(listening):F0}");
    }

    /// <summary>One phase with every span and measurement of the <c>Envoy</c> source and meter taken; its steps/s.</summary>
    private static async Task<PhaseResult> RunListeningAsync(DriverOptions options, Driver driver, int round, long[] spans, long[] measurements, CancellationToken timeout)
    {
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EnvoyTelemetry.SourceName || s.Name == PhasesName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref spans[0]),
        };
        using var meters = new MeterListener();
        ActivitySource.AddActivityListener(activities);
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EnvoyTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref measurements[0]));
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref measurements[0]));
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

        await collect.CancelAsync();
        await collecting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Console.Error.WriteLineAsync($"telemetry: listening phase {round + 1}: {phase.Steps / phase.Elapsed.TotalSeconds:F0} steps/s");
        return phase;
    }

    /// <summary>The extra top-level jobs these phases run (for the tracker's capacity).</summary>
    public static long ExtraJobs(DriverOptions options) => options.TelemetryCompare ? (Rounds * 2L + 1) * options.N : 0;
}
