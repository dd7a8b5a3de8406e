using System.Globalization;
using Envoy;
using Envoy.FaultWorker;

// Usage: Envoy.FaultWorker --db <jobs.db> --runs <runs.db> [--schedule N] [--parents M] [--naps K] [--nap-ms 4000] [--no-run]
//                          [--concurrency 4] [--lease-ms 1000] [--work-ms 30] [--exit-after-s 150]
// Prints "SCHEDULED <n>" after scheduling and "STARTED <pid>" once its workers run; then runs until killed, until its
// standard input closes (the test that started it is gone) or until --exit-after-s passes (a safety net).
var options = Options.Parse(args);
using var runs = new RunLog(options.Runs);
await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig
{
    Sqlite = new SqliteConfig { Path = options.Db },
    Concurrency = options.Concurrency,
    MaxRetries = 3,
    RetryBaseDelay = TimeSpan.FromMilliseconds(50),
    LeaseDuration = TimeSpan.FromMilliseconds(options.LeaseMs),
    PollInterval = TimeSpan.FromMilliseconds(200),
});
scheduler.AddFlow(CountedFlow.Name, CountedFlow.Build(runs, TimeSpan.FromMilliseconds(options.WorkMs)));
scheduler.AddFlow(CountedFlow.ParentName, CountedFlow.BuildParent(runs, TimeSpan.FromMilliseconds(options.WorkMs)));
scheduler.AddFlow(CountedFlow.NapName, CountedFlow.BuildNap(runs));

if (options.Schedule + options.Parents + options.Naps > 0)
{
    for (var i = 0; i < options.Schedule; i++)
    {
        await scheduler.ScheduleAsync(CountedFlow.Name, i);
    }

    for (var i = 0; i < options.Parents; i++)
    {
        await scheduler.ScheduleAsync(CountedFlow.ParentName, i);
    }

    for (var i = 0; i < options.Naps; i++)
    {
        await scheduler.ScheduleAsync(CountedFlow.NapName, options.NapMs);
    }

    Console.WriteLine($"SCHEDULED {options.Schedule + options.Parents + options.Naps}");
}

if (!options.NoRun)
{
    await scheduler.StartAsync();
    Console.WriteLine($"STARTED {Environment.ProcessId}");
}

using var exitAfter = new CancellationTokenSource(TimeSpan.FromSeconds(options.ExitAfterSeconds));
var stdinClosed = Task.Run(async () => await Console.In.ReadToEndAsync(exitAfter.Token));
await Task.WhenAny(stdinClosed, Task.Delay(Timeout.Infinite, exitAfter.Token));
Console.WriteLine("EXITING");
return 0;

internal sealed record Options(string Db, string Runs, int Schedule, int Parents, int Naps, int NapMs, bool NoRun, int Concurrency, int LeaseMs, int WorkMs, int ExitAfterSeconds)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--no-run")
            {
                flags.Add(args[i]);
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            values.GetValueOrDefault("--db") ?? throw new ArgumentException("--db <path> is required."),
            values.GetValueOrDefault("--runs") ?? throw new ArgumentException("--runs <path> is required."),
            Int("--schedule", 0),
            Int("--parents", 0),
            Int("--naps", 0),
            Int("--nap-ms", 4000),
            flags.Contains("--no-run"),
            Int("--concurrency", 4),
            Int("--lease-ms", 1000),
            Int("--work-ms", 30),
            Int("--exit-after-s", 150));
    }
}
