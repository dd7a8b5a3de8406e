using System.Runtime;
using Envoy;
using Envoy.LoadDriver;

// End-to-end throughput and latency of real jobs through the real scheduler. See bench/README.md.
//   dotnet run -c Release --project bench/Envoy.LoadDriver -- --workload chain --n 20000 --concurrency 64 --store sqlite --sync full
if (args.Length > 0 && args[0] == "timers")
{
    return await TimerScenario.RunAsync(args[1..]);
}

if (args is ["retention-purge", ..])
{
    return await RetentionPurgeBench.RunAsync(args[1..]);
}

DriverOptions options;
try
{
    options = DriverOptions.Parse(args);
}
catch (ArgumentException ex)
{
    if (ex.Message.Length > 0)
    {
        Console.Error.WriteLine("error: " + ex.Message);
    }

    Console.Error.WriteLine(DriverOptions.Usage);
    return 2;
}

if (options.Unsupported() is { } unsupported)
{
    Console.Error.WriteLine("error: " + unsupported);
    return 2;
}

if (options.Worker)
{
    return await WorkerMode.RunAsync(options);
}

if (options.FairnessFlood > 0)
{
    return await FairnessScenario.RunAsync(options, WorkerMode.Config(options, Path.Combine(Path.GetTempPath(), $"envoy-fairness-{Guid.NewGuid():N}.db")));
}

var postgres = options.Store != "sqlite";
var ownsDb = options.DbPath is null && !postgres;
var dbPath = Path.GetFullPath(options.DbPath ?? Path.Combine(Path.GetTempPath(), $"envoy-loaddriver-{Guid.NewGuid():N}.db"));
if (!postgres && File.Exists(dbPath))
{
    Console.Error.WriteLine($"error: {dbPath} exists; the driver needs an empty database (remove it or choose another --db).");
    return 2;
}

var workload = Workload.Create(options.Workload);
var totalTop = (long)options.N + options.Warmup + options.LatencyProbe + StoreEventsComparison.ExtraJobs(options) + TelemetryComparison.ExtraJobs(options);
var tracker = new JobTracker(workload.TopFlow, (int)Math.Min(int.MaxValue - 64, (totalTop * workload.StepsPerTop) + 64));
using var loggerFactory = DriverLogging.Create();
using var timeout = new CancellationTokenSource(options.Timeout);
var config = WorkerMode.Config(options, dbPath);
await using var counts = postgres ? new PgCounts(options.Pg!) : null;
if (counts is not null)
{
    await counts.ResetAsync(timeout.Token);
    tracker.CheckOrder = options.Processes == 1;
    if (options.Processes > 1)
    {
        tracker.OnHit = ctx => counts.Hit(ctx.JobId!, ctx.State);
        counts.Start();
    }
}

var storeLabel = postgres ? options.Store : "sqlite";
config.EagerStart = options.EagerStart;
options.ApplyTo(config);

var sync = options.FullSync ? "full" : "normal";
Console.Error.WriteLine(
    $"Envoy.LoadDriver: workload={options.Workload} store={storeLabel} processes={options.Processes} sync={sync} n={options.N} concurrency={options.Concurrency} " +
    $"eager_start={(config.EagerStart ? "on" : "off")} claim_batch={config.ClaimBatchSize} claim_ahead={config.ClaimAhead} commit_batch={config.CommitBatchSize} batch={options.Batch} max_backlog={options.MaxBacklog} " +
    $"inline_socket_completions={(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1" ? "on" : "off")} " +
    $"db={(postgres ? "postgres" : dbPath)} cores={Environment.ProcessorCount} gc={(GCSettings.IsServerGC ? "server" : "workstation")}");

PhaseResult? result = null;
string[] probeIds = [];
var ok = false;
Dictionary<string, long> remoteStarts = new(StringComparer.Ordinal);
var workers = new List<System.Diagnostics.Process>();
using var pollStop = new CancellationTokenSource();
Task? poller = null;
try
{
    await using (var scheduler = await Scheduler.InitAsync(config, null, loggerFactory, timeout.Token))
    {
        workload.Register(scheduler, tracker, options.TopFlowOptions);
        using var subscription = scheduler.Events.Subscribe(tracker);
        if (counts is not null && options.PendingBacklog > 0)
        {
            var insertClock = System.Diagnostics.Stopwatch.StartNew();
            var inserted = await counts.InsertBacklogAsync(workload.TopFlow, options.PendingBacklog, timeout.Token);
            Console.Error.WriteLine($"pending backlog: {inserted} jobs of '{workload.TopFlow}' due in a year, inserted in {insertClock.Elapsed.TotalSeconds:F1} s");
        }

        for (var p = 1; p < options.Processes; p++)
        {
            workers.Add(await WorkerMode.StartWorkerAsync(args, timeout.Token));
        }

        if (counts is not null && options.Processes > 1)
        {
            poller = Task.Run(async () =>
            {
                while (!pollStop.IsCancellationRequested)
                {
                    tracker.SetExternalTopFinished(await counts.FinishedAsync(workload.TopFlow, pollStop.Token));
                    await Task.Delay(3, pollStop.Token);
                }
            });
        }

        await scheduler.StartAsync(timeout.Token);
        var driver = new Driver(options, scheduler, workload, tracker, counts);
        if (options.Warmup > 0)
        {
            await driver.RunPhaseAsync("warmup", options.Warmup, timeout.Token);
        }

        result = await driver.RunPhaseAsync("run", options.N, timeout.Token);
        if (options.StoreEventsCompare)
        {
            await StoreEventsComparison.RunAsync(options, config, scheduler, driver, result, timeout.Token);
        }

        if (options.TelemetryCompare)
        {
            await TelemetryComparison.RunAsync(options, driver, result, timeout.Token);
        }

        if (options.LatencyProbe > 0)
        {
            // The probe waits for each job through the scheduler's own wake-ups: the finished-jobs poll (a count every 3 ms,
            // for the run phase) would keep both cores busy and measure itself.
            await pollStop.CancelAsync();
            if (options.ProbeRemote)
            {
                await scheduler.StopAsync(timeout.Token);
            }

            Console.Error.WriteLine($"latency probe: {options.LatencyProbe} jobs, one at a time, idle workers");
            probeIds = await driver.ProbeAsync(options.LatencyProbe, timeout.Token);
        }

        await pollStop.CancelAsync();
        await WorkerMode.StopWorkersAsync(workers, timeout.Token);
        await scheduler.StopAsync(timeout.Token);
        if (counts is not null && options.Processes > 1)
        {
            await counts.FlushAsync(timeout.Token);
            var sampled = (result?.Ids ?? []).Concat(probeIds).ToArray();
            remoteStarts = await counts.FirstStartsAsync(sampled, timeout.Token);
        }

        ok = await driver.VerifyAsync(timeout.Token);
    }
}
catch (OperationCanceledException) when (timeout.IsCancellationRequested)
{
    tracker.Problem($"timed out after {options.Timeout}: {tracker.TopFinished} top-level jobs finished");
}
finally
{
    await pollStop.CancelAsync();
    try
    {
        await (poller ?? Task.CompletedTask);
    }
    catch (OperationCanceledException)
    {
    }
    foreach (var worker in workers)
    {
        if (!worker.HasExited)
        {
            worker.Kill();
        }

        worker.Dispose();
    }

    if (ownsDb && !options.KeepDb)
    {
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(dbPath + suffix);
        }
    }
}

var start = StartLatencies(result?.Ids ?? []);
var idle = StartLatencies(probeIds);
var stepLat = result?.StepLatencies ?? [];
Array.Sort(stepLat);
var seconds = result?.Elapsed.TotalSeconds ?? double.NaN;
var jobsPerSec = options.N / seconds;
var stepsPerSec = (result?.Steps ?? 0) / seconds;
var peak = Measures.PeakRssMb();
foreach (var problem in tracker.Problems)
{
    Console.Error.WriteLine("problem: " + problem);
}

Console.WriteLine($"workload {options.Workload}, store {(postgres ? options.Store : $"sqlite (synchronous={sync.ToUpperInvariant()})")}, processes {options.Processes}, n {options.N}, concurrency {options.Concurrency}, {Environment.ProcessorCount} cores");
if (result is not null)
{
    Console.WriteLine($"  run:            {Measures.F(seconds, 3)} s ({Measures.F(result.SchedulingTime.TotalSeconds, 3)} s to schedule), {result.Steps} steps");
    Console.WriteLine(
        $"  cpu:            {Measures.F(result.Cpu.TotalSeconds, 3)} s ({Measures.F(result.Cpu.TotalSeconds / seconds * 100, 0)}% of one core), " +
        $"{Measures.F(result.Cpu.TotalMilliseconds * 1000 / Math.Max(1, result.Steps), 1)} µs per step (scheduling included)");
    Console.WriteLine(
        $"  memory:         {Measures.F(result.Allocated / 1024.0 / Math.Max(1, result.Steps), 1)} KB allocated per step (driver included), " +
        $"{result.Gen0} gen0 / {result.Gen2} gen2 collections");
}

Console.WriteLine($"  throughput:     {Measures.F(jobsPerSec, 0)} jobs/s, {Measures.F(stepsPerSec, 0)} steps/s");
Console.WriteLine($"  schedule→start: p50 {Measures.F(Measures.PercentileMs(start, 50))} ms, p99 {Measures.F(Measures.PercentileMs(start, 99))} ms (under load, {start.Length} jobs)");
Console.WriteLine($"  schedule→start: p50 {Measures.F(Measures.PercentileMs(idle, 50))} ms, p99 {Measures.F(Measures.PercentileMs(idle, 99))} ms (idle workers, {idle.Length} jobs one at a time)");
Console.WriteLine($"  step (handler start → commit applied): p50 {Measures.F(Measures.PercentileMs(stepLat, 50))} ms, p99 {Measures.F(Measures.PercentileMs(stepLat, 99))} ms ({stepLat.Length} steps)");
Console.WriteLine($"  peak RSS:       {Measures.F(peak, 1)} MB");
Console.WriteLine($"  exactly once:   {(ok ? "yes" : "NO")}");
if (options.LatencyProbe > 0)
{
    Console.WriteLine(
        $"PROBE workload={options.Workload} store={storeLabel} processes={options.Processes} sync={sync} samples={idle.Length} " +
        $"idle_start_p50_ms={Measures.F(Measures.PercentileMs(idle, 50))} idle_start_p99_ms={Measures.F(Measures.PercentileMs(idle, 99))}");
}

Console.WriteLine(
    $"SUMMARY workload={options.Workload} store={storeLabel} processes={options.Processes} n={options.N} jobs_per_sec={Measures.F(jobsPerSec, 1)} steps_per_sec={Measures.F(stepsPerSec, 1)} " +
    $"start_p50_ms={Measures.F(Measures.PercentileMs(start, 50))} start_p99_ms={Measures.F(Measures.PercentileMs(start, 99))} " +
    $"step_p50_ms={Measures.F(Measures.PercentileMs(stepLat, 50))} step_p99_ms={Measures.F(Measures.PercentileMs(stepLat, 99))} " +
    $"peak_rss_mb={Measures.F(peak, 1)} exactly_once={(ok ? "true" : "false")}");
return ok ? 0 : 1;

long[] StartLatencies(string[] ids)
{
    var values = new List<long>(ids.Length);
    foreach (var id in ids)
    {
        if (options.Processes > 1)
        {
            // Several processes: the first start was stamped (wall clock, µs) by whichever process ran it; expressed in Stopwatch ticks.
            if (tracker.Find(id) is { ScheduledUs: not 0 } scheduled && remoteStarts.TryGetValue(id, out var startUs))
            {
                values.Add(Math.Max(0, (startUs - scheduled.ScheduledUs) * System.Diagnostics.Stopwatch.Frequency / 1_000_000));
            }
        }
        else if (tracker.Find(id) is { FirstStartTs: not 0 } track)
        {
            values.Add(Math.Max(0, track.FirstStartTs - track.ScheduledTs));
        }
    }

    var sorted = values.ToArray();
    Array.Sort(sorted);
    return sorted;
}
