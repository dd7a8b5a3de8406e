using System.Diagnostics;

namespace Envoy.LoadDriver;

/// <summary>
/// The extra worker processes of <c>--processes P</c>: the same executable with <c>--worker</c>. A worker registers the
/// workload's flows on the same store, runs its workers, counts every handler run into <c>bench_counts</c>, and stops
/// (flushing the counter) when its standard input says <c>stop</c> or closes. It never outlives the run's timeout.
/// </summary>
internal static class WorkerMode
{
    public static SchedulerConfig Config(DriverOptions options, string dbPath)
    {
        var config = options.Store == "sqlite"
            ? new SchedulerConfig { Sqlite = new SqliteConfig { Path = dbPath, FullSync = options.FullSync } }
            : new SchedulerConfig
            {
                Postgres = new PostgresConfig { ConnectionString = options.Pg },
                Redis = options.Store == "postgres+redis" ? new RedisConfig { ConnectionString = options.Redis! } : null,
            };
        config.Concurrency = options.Concurrency;
        options.ApplyTo(config);

        return config;
    }

    public static async Task<int> RunAsync(DriverOptions options)
    {
        using var timeout = new CancellationTokenSource(options.Timeout);
        using var loggerFactory = DriverLogging.Create();
        var workload = Workload.Create(options.Workload);
        var tracker = new JobTracker(workload.TopFlow, 16) { CheckOrder = false };
        await using var counts = new PgCounts(options.Pg!);
        tracker.OnHit = ctx => counts.Hit(ctx.JobId!, ctx.State);
        counts.Start();
        await using (var scheduler = await Scheduler.InitAsync(Config(options, string.Empty), null, loggerFactory, timeout.Token))
        {
            workload.Register(scheduler, tracker, options.TopFlowOptions);
            await scheduler.StartAsync(timeout.Token);
            Console.WriteLine($"STARTED {Environment.ProcessId}");
            try
            {
                while (await Console.In.ReadLineAsync(timeout.Token) is { } line && line.Trim() != "stop")
                {
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
            }

            using var stopDeadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await scheduler.StopAsync(stopDeadline.Token);
        }

        await counts.DisposeAsync(); // flushes the last hits
        Console.WriteLine($"STOPPED {Environment.ProcessId} steps={tracker.StepsStarted}");
        return 0;
    }

    /// <summary>Starts this executable again with the same options plus <c>--worker</c>, and waits until its workers run.</summary>
    public static async Task<Process> StartWorkerAsync(string[] args, CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(WorkerMode).Assembly.Location);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("--worker");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a worker process");
        while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("STARTED", StringComparison.Ordinal))
            {
                await Console.Error.WriteLineAsync($"worker process {process.Id} started");
                return process;
            }
        }

        throw new InvalidOperationException($"worker process {process.Id} exited before it started");
    }

    /// <summary>Tells every worker to stop, and waits (bounded) until each has flushed its counts and exited.</summary>
    public static async Task StopWorkersAsync(List<Process> workers, CancellationToken ct)
    {
        foreach (var worker in workers)
        {
            await worker.StandardInput.WriteLineAsync("stop");
            await worker.StandardInput.FlushAsync(ct);
        }

        foreach (var worker in workers)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            var rest = await worker.StandardOutput.ReadToEndAsync(deadline.Token);
            await worker.WaitForExitAsync(deadline.Token);
            await Console.Error.WriteLineAsync($"worker process {worker.Id}: {rest.Trim()}");
        }
    }
}
