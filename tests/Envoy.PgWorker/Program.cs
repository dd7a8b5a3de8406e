using System.Diagnostics;
using System.Globalization;
using Envoy;
using Envoy.PgWorker;

// Usage: Envoy.PgWorker --postgres <connection string> [--redis 127.0.0.1:port] [--flow chain|pair|deploy|limited|rated|trace-parent|trace-child] [--flow-version V] [--schedule N]
//                       [--no-run] [--concurrency 4] [--lease-ms 2000] [--work-ms 30] [--poll-ms 500] [--exit-after-s 300]
//                       [--limit N] [--keys K]   (--flow limited: FlowOptions.ConcurrencyLimit N; jobs scheduled on keys tenant-0..K-1)
//                       [--permits P --window-ms W --starts-dir DIR]   (--flow rated: FlowOptions.RateLimit P per W ms, keys as limited;
//                       each step start recorded in DIR/{pid}.starts, see StartLog)
//        or, for --flow rated only, --sqlite <file> instead of --postgres (worker processes sharing one SQLite file).
// Prints "SCHEDULED <n> <ms>" after scheduling (and exits there with --no-run), "STARTED <pid>" once its workers run. Then it
// reads commands on standard input: "stop <deadline-ms>" calls StopAsync with that deadline and prints "STOPPED <ms>";
// "release" ends the trace-hold job (TraceFlows; the trace flows' processes also print their spans as "SPAN {json}" lines).
// It exits when killed, when its standard input closes (the test that started it is gone) or after --exit-after-s.
var options = Options.Parse(args);
await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig
{
    Postgres = options.Postgres is null ? null : new PostgresConfig { ConnectionString = options.Postgres },
    Sqlite = options.Sqlite is null ? null : new SqliteConfig { Path = options.Sqlite, FullSync = false },
    Redis = options.Redis is null ? null : new RedisConfig { ConnectionString = options.Redis },
    Concurrency = options.Concurrency,
    MaxRetries = 3,
    RetryBaseDelay = TimeSpan.FromMilliseconds(50),
    LeaseDuration = TimeSpan.FromMilliseconds(options.LeaseMs),
    PollInterval = TimeSpan.FromMilliseconds(options.PollMs),
    ClaimAhead = TraceFlows.ClaimAheadFor(options.Flow, new SchedulerConfig().ClaimAhead),
});
if (TraceFlows.Owns(options.Flow))
{
    TraceFlows.Register(scheduler, options.Flow);
}
else if (options.Flow == Flows.Rated)
{
    var starts = new StartLog(options.StartsDir ?? throw new ArgumentException("--starts-dir is required with --flow rated."));
    scheduler.AddFlow(options.Flow, Flows.BuildRated(starts), new FlowOptions { RateLimit = new RateLimit(options.Permits, TimeSpan.FromMilliseconds(options.WindowMs)) });
}
else if (options.Postgres is null)
{
    throw new ArgumentException($"--flow {options.Flow} needs --postgres.");
}
else if (options.Flow == Flows.Limited)
{
    var limits = new LimitCounter(options.Postgres);
    await limits.EnsureSchemaAsync(CancellationToken.None);
    scheduler.AddFlow(options.Flow, Flows.BuildLimited(limits, TimeSpan.FromMilliseconds(options.WorkMs)), new FlowOptions { ConcurrencyLimit = options.Limit });
}
else
{
    var counter = new CounterTable(options.Postgres);
    await counter.EnsureSchemaAsync(CancellationToken.None);
    scheduler.AddFlow(
        options.Flow,
        Flows.Build(options.Flow, counter, TimeSpan.FromMilliseconds(options.WorkMs), options.FlowVersion),
        options.FlowVersion is null ? null : new FlowOptions { Version = options.FlowVersion });
}

if (options.Schedule > 0)
{
    // Several schedulers at once (each ScheduleAsync is one durable transaction), so 10,000 jobs take seconds, not minutes.
    var clock = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
    {
        for (var i = Interlocked.Increment(ref next); i < options.Schedule; i = Interlocked.Increment(ref next))
        {
            if (options.Flow is Flows.Limited or Flows.Rated)
            {
                var key = "tenant-" + (i % options.Keys).ToString(CultureInfo.InvariantCulture);
                await scheduler.ScheduleAsync(options.Flow, key, new ScheduleOptions { ConcurrencyKey = key });
            }
            else
            {
                await scheduler.ScheduleAsync(options.Flow, i);
            }
        }
    })));
    Console.WriteLine($"SCHEDULED {options.Schedule} {clock.ElapsedMilliseconds}");
}

if (options.NoRun)
{
    return 0;
}

await scheduler.StartAsync();
Console.WriteLine($"STARTED {Environment.ProcessId}");

using var exitAfter = new CancellationTokenSource(TimeSpan.FromSeconds(options.ExitAfterSeconds));
try
{
    while (await Console.In.ReadLineAsync(exitAfter.Token) is { } line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is ["stop", var ms])
        {
            var clock = Stopwatch.StartNew();
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(int.Parse(ms, CultureInfo.InvariantCulture)));
            await scheduler.StopAsync(deadline.Token);
            Console.WriteLine($"STOPPED {clock.ElapsedMilliseconds}");
        }
        else if (parts is ["release"])
        {
            TraceFlows.Release();
        }
    }
}
catch (OperationCanceledException) when (exitAfter.IsCancellationRequested)
{
    // The safety net: never outlive a forgotten test run.
}

Console.WriteLine("EXITING");
return 0;

internal sealed record Options(string? Postgres, string? Sqlite, string? Redis, string Flow, string? FlowVersion, int Schedule, bool NoRun, int Concurrency, int LeaseMs, int WorkMs, int PollMs, int ExitAfterSeconds, int Limit, int Keys, int Permits, int WindowMs, string? StartsDir)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var noRun = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--no-run")
            {
                noRun = true;
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
        var postgres = values.GetValueOrDefault("--postgres");
        var sqlite = values.GetValueOrDefault("--sqlite");
        if ((postgres is null) == (sqlite is null))
        {
            throw new ArgumentException("Give one store: --postgres <connection string> or --sqlite <file>.");
        }

        return new Options(
            postgres,
            sqlite,
            values.GetValueOrDefault("--redis"),
            values.GetValueOrDefault("--flow") ?? Flows.Chain,
            values.GetValueOrDefault("--flow-version"),
            Int("--schedule", 0),
            noRun,
            Int("--concurrency", 4),
            Int("--lease-ms", 2000),
            Int("--work-ms", 30),
            Int("--poll-ms", 500),
            Int("--exit-after-s", 300),
            Int("--limit", 2),
            Int("--keys", 5),
            Int("--permits", 10),
            Int("--window-ms", 1000),
            values.GetValueOrDefault("--starts-dir"));
    }
}
