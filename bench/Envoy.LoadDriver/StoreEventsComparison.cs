using System.Diagnostics;
using Envoy.Runtime.Execution.Events;

namespace Envoy.LoadDriver;

/// <summary>
/// <c>--store-events-compare</c>: the cost of the store-wide event feed for the workers. After the run phase (nobody listening),
/// alternates measured phases of <c>--n</c> jobs with one listener subscribed (a second scheduler on the same store, running no
/// jobs, reading <c>ReadStoreEventsAsync</c>: a dashboard node) and without one, twice each, and prints the steps/s of both and
/// their ratio, and how many of the jobs' end events the listener received.
/// </summary>
internal static class StoreEventsComparison
{
    /// <summary>How many (listening, not listening) pairs of phases follow the run.</summary>
    public const int Rounds = 2;

    public static async Task RunAsync(DriverOptions options, SchedulerConfig config, Scheduler scheduler, Driver driver, PhaseResult first, CancellationToken timeout)
    {
        var none = new List<double> { first.Steps / first.Elapsed.TotalSeconds };
        var listening = new List<double>();
        var noneCpu = new List<double> { first.Cpu.TotalMilliseconds * 1000 / first.Steps };
        var listeningCpu = new List<double>();
        long expectedFinished = 0;
        long receivedFinished = 0;
        long received = 0;
        var publisher = scheduler.StoreEventFeed.Publisher;
        var settle = Math.Max(1, Math.Min(500, options.N / 10));
        await using var listener = await Scheduler.InitAsync(config, timeout);
        for (var round = 0; round < Rounds; round++)
        {
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout))
            {
                var ends = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
                var all = 0L;
                var reading = Task.Run(
                    async () =>
                    {
                        await foreach (var e in listener.ReadStoreEventsAsync(stop.Token))
                        {
                            Interlocked.Increment(ref all);
                            if (e is JobFinishedEvent)
                            {
                                ends.TryAdd(e.JobId, true);
                            }
                        }
                    },
                    timeout);

                // A settling phase: the listener announces itself and the workers' publisher learns of it (within 2 s).
                await WaitForListenerAsync(listener, timeout);
                await driver.RunPhaseAsync("events-settle", settle, timeout);
                await SettleAsync(driver, publisher, listening: true, settle, timeout);
                var sentBefore = publisher?.Sent ?? 0;
                var phase = await driver.RunPhaseAsync($"events-listening-{round + 1}", options.N, timeout);
                listening.Add(phase.Steps / phase.Elapsed.TotalSeconds);
                listeningCpu.Add(phase.Cpu.TotalMilliseconds * 1000 / phase.Steps);
                // The last events are on their way (a batch every 50 ms): wait for them a little, then count.
                var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 5);
                while (phase.Ids.Count(ends.ContainsKey) < options.N && Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(10, timeout);
                }

                expectedFinished += options.N;
                receivedFinished += phase.Ids.Count(ends.ContainsKey);
                received += Interlocked.Read(ref all);
                await Console.Error.WriteLineAsync($"store events: listening phase {round + 1}: {phase.Steps / phase.Elapsed.TotalSeconds:F0} steps/s, {(publisher?.Sent ?? 0) - sentBefore} events sent");
                await stop.CancelAsync();
                await reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // Nobody listens again: a settling phase lets the publisher's two-second presence answer expire.
            await SettleAsync(driver, publisher, listening: false, settle, timeout);
            var quiet = await driver.RunPhaseAsync($"events-none-{round + 1}", options.N, timeout);
            none.Add(quiet.Steps / quiet.Elapsed.TotalSeconds);
            noneCpu.Add(quiet.Cpu.TotalMilliseconds * 1000 / quiet.Steps);
        }

        var noneMean = none.Average();
        var listeningMean = listening.Average();
        await Console.Out.WriteLineAsync($"  store events:   {noneMean:F0} steps/s nobody listening ({string.Join(", ", none.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}), " +
            $"{listeningMean:F0} steps/s with one listener ({string.Join(", ", listening.Select(v => v.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}), ratio {listeningMean / noneMean:F3}; " +
            $"listener received {receivedFinished} of {expectedFinished} job ends ({received} events); " +
            $"cpu {noneCpu.Average():F0} vs {listeningCpu.Average():F0} µs per step");
        await Console.Out.WriteLineAsync(
            $"STORE_EVENTS workload={options.Workload} store={options.Store} n={options.N} none_steps_per_sec={noneMean:F1} listening_steps_per_sec={listeningMean:F1} " +
            $"ratio={listeningMean / noneMean:F3} none_cpu_us_per_step={noneCpu.Average():F1} listening_cpu_us_per_step={listeningCpu.Average():F1} job_ends_received={receivedFinished} job_ends_expected={expectedFinished} payloads={publisher?.Payloads ?? 0} events_sent={publisher?.Sent ?? 0}");
    }

    /// <summary>The extra top-level jobs these phases run (for the tracker's capacity).</summary>
    public static long ExtraJobs(DriverOptions options) =>
        options.StoreEventsCompare ? Rounds * 2L * (options.N + (51L * Math.Max(1, Math.Min(500, options.N / 10)))) : 0;

    private static async Task WaitForListenerAsync(Scheduler listener, CancellationToken timeout)
    {
        var transport = listener.Store.EventTransport!;
        while (!await transport.HasListenersAsync(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), timeout))
        {
            await Task.Delay(10, timeout);
        }
    }

    /// <summary>Runs small phases until the workers' publisher has the answer wanted (it asks at most every two seconds).</summary>
    private static async Task SettleAsync(Driver driver, StoreEventPublisher? publisher, bool listening, int settle, CancellationToken timeout)
    {
        for (var i = 0; i < 50 && publisher is not null && publisher.MayHaveListeners != listening; i++)
        {
            await driver.RunPhaseAsync("events-settle", settle, timeout);
        }
    }
}
