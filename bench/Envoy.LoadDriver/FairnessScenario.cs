using System.Collections.Concurrent;
using System.Diagnostics;

namespace Envoy.LoadDriver;

/// <summary>
/// <c>--fairness-flood F</c> (issue 18): one key floods the queue of a limited flow (<c>--limit</c>, default 2): F jobs on key A,
/// each working 50 ms, so the flood stays at its limit with F − limit jobs pending behind it for the whole measure. Then key B
/// gets <c>--latency-probe</c> jobs one at a time (each once the previous started); prints B's schedule-to-start p50/p99 (the
/// handler's start) and how many flood jobs ran meanwhile. Before the flood, the same probe on an empty queue gives the floor.
/// </summary>
internal static class FairnessScenario
{
    private const string Flow = "fair";
    private static readonly TimeSpan FloodWork = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(DriverOptions options, SchedulerConfig config)
    {
        using var timeout = new CancellationTokenSource(options.Timeout);
        var limit = options.Limit ?? 2;
        var starts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var floodRuns = 0L;
        await using var scheduler = await Scheduler.InitAsync(config, cancellationToken: timeout.Token);
        scheduler.AddFlow(
            Flow,
            new StateFlow(
            [
                new State("Work")
                {
                    OnState = async ctx =>
                    {
                        if (ctx.Input<string>() == "A")
                        {
                            Interlocked.Increment(ref floodRuns);
                            await Task.Delay(FloodWork, ctx.CancellationToken);
                        }
                        else
                        {
                            starts.TryAdd(ctx.JobId!, Stopwatch.GetTimestamp());
                        }

                        return ctx;
                    },
                    Router = Router.End,
                },
            ]),
            new FlowOptions { ConcurrencyLimit = limit });
        await scheduler.StartAsync(timeout.Token);

        var probes = Math.Max(options.LatencyProbe, 20);
        var floor = await ProbeAsync(scheduler, starts, probes, timeout.Token);
        var clock = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                while (Interlocked.Increment(ref next) < options.FairnessFlood)
                {
                    await scheduler.ScheduleAsync(Flow, "A", new ScheduleOptions { ConcurrencyKey = "A" }, timeout.Token);
                }
            },
            timeout.Token)));
        await Console.Error.WriteLineAsync($"fairness: {options.FairnessFlood} jobs of key A scheduled in {clock.Elapsed.TotalSeconds:F1} s (limit {limit})");
        var before = Interlocked.Read(ref floodRuns);
        var flooded = await ProbeAsync(scheduler, starts, probes, timeout.Token);
        var during = Interlocked.Read(ref floodRuns) - before;
        await Console.Out.WriteLineAsync(
            $"FAIRNESS store={options.Store} flood={options.FairnessFlood} limit={limit} probes={probes} " +
            $"empty_p50_ms={Percentile(floor, 0.5):F1} empty_p99_ms={Percentile(floor, 0.99):F1} " +
            $"flooded_p50_ms={Percentile(flooded, 0.5):F1} flooded_p99_ms={Percentile(flooded, 0.99):F1} flood_jobs_run_meanwhile={during}");
        await scheduler.StopAsync(CancellationToken.None);
        return 0;
    }

    /// <summary>Schedules <paramref name="n"/> jobs of key B one at a time; each one's schedule-to-start in milliseconds.</summary>
    private static async Task<double[]> ProbeAsync(Scheduler scheduler, ConcurrentDictionary<string, long> starts, int n, CancellationToken ct)
    {
        var latencies = new double[n];
        for (var i = 0; i < n; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var id = await scheduler.ScheduleAsync(Flow, "B", new ScheduleOptions { ConcurrencyKey = "B" }, ct);
            await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(60), ct);
            latencies[i] = Stopwatch.GetElapsedTime(before, starts[id]).TotalMilliseconds;
        }

        return latencies;
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
