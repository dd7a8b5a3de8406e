using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Envoy.LoadDriver;

/// <summary>
/// The durable-timer scenario (issue 17): (1) firing lateness: <c>--sleepers</c> jobs each sleep until a due time spread over
/// <c>--spread-s</c> seconds after they are all scheduled; lateness = the moment the job's handler runs again minus the
/// moment its sleep began plus its delay (so it includes the firing, the claim and the start of the step); p50/p99/max;
/// <c>first_due_in_ms</c> below zero says the scheduling of the sleepers overlapped the firing (the run is not comparable). (2)
/// claim throughput with <c>--idle-sleepers</c> jobs sleeping (a day) in the store vs none, same run: <c>--claim-jobs</c>
/// one-step jobs before and after seeding the sleepers (seeded straight into the tables, as the scheduler writes them).
/// </summary>
/// <remarks>
/// <c>Envoy.LoadDriver timers --store sqlite|postgres [--pg CONN] [--sleepers 100000] [--spread-s 60] [--idle-sleepers 1000000]
/// [--claim-jobs 20000] [--concurrency 64]</c>. Prints <c>TIMERS ...</c> and <c>TIMER_CLAIMS ...</c> lines.
/// </remarks>
internal static class TimerScenario
{
    private const string NapFlow = "timer-nap";
    private const string WorkFlow = "timer-work";

    public static async Task<int> RunAsync(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var store = values.GetValueOrDefault("--store", "sqlite");
        var pg = values.GetValueOrDefault("--pg");
        var sleepers = Int("--sleepers", 100_000);
        var spread = TimeSpan.FromSeconds(Int("--spread-s", 60));
        var idle = Int("--idle-sleepers", 1_000_000);
        var claimJobs = Int("--claim-jobs", 20_000);
        var concurrency = Int("--concurrency", 64);
        var dbPath = Path.Combine(Path.GetTempPath(), $"envoy-timers-{Guid.NewGuid():N}.db");
        var config = store == "sqlite"
            ? new SchedulerConfig { Sqlite = new SqliteConfig { Path = dbPath, FullSync = false } }
            : new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = pg ?? throw new ArgumentException("--pg is required") } };
        config.Concurrency = concurrency;
        var late = new ConcurrentBag<double>();
        var done = 0;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workDone = 0;
        var workTarget = 0;
        var workAllDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using var scheduler = await Scheduler.InitAsync(config);
            if (Int("--fire-only", 0) is > 0 and var fireOnly)
            {
                return await FireOnlyAsync(scheduler, store, pg, dbPath, fireOnly);
            }

            scheduler.AddFlow(NapFlow, new StateFlow(
            [
                new State("Nap")
                {
                    OnEnter = async ctx =>
                    {
                        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                        var delay = Math.Max(1, ctx.Input<long>() - now);
                        ctx.Set("wakeAt", now + delay).Sleep("nap", TimeSpan.FromMilliseconds(delay));
                        return ctx;
                    },
                    OnState = async ctx =>
                    {
                        late.Add(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - ctx.Get<long>("wakeAt"));
                        if (Interlocked.Increment(ref done) == sleepers)
                        {
                            allDone.TrySetResult();
                        }

                        return ctx;
                    },
                },
            ]));
            scheduler.AddFlow(WorkFlow, new StateFlow(
            [
                new State("Work")
                {
                    OnState = async ctx =>
                    {
                        if (Interlocked.Increment(ref workDone) == Volatile.Read(ref workTarget))
                        {
                            workAllDone.TrySetResult();
                        }

                        return ctx;
                    },
                },
            ]));
            await scheduler.StartAsync();

            // (1) Lateness: schedule every sleeper first (their first step registers the sleep), due after a setup margin.
            if (sleepers > 0)
            {
                var setup = Stopwatch.StartNew();
                var firstDue = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + 5_000 + (sleepers / 2); // ~2,000 jobs/s of setup
                for (var i = 0; i < sleepers; i += 500)
                {
                    await Task.WhenAll(Enumerable.Range(i, Math.Min(500, sleepers - i)).Select(k =>
                        scheduler.ScheduleAsync(NapFlow, firstDue + (long)(spread.TotalMilliseconds * k / sleepers))));
                }

                // Negative: the scheduling of the sleepers (planned at ~2,000 jobs/s) ran past the first due time, so the firing
                // overlapped it (a loaded machine): the lateness then also measures the scheduling's load.
                var firstDueIn = firstDue - TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
                await Console.Error.WriteLineAsync($"timers: {sleepers} sleepers scheduled in {setup.Elapsed.TotalSeconds:0.0} s; first due in {firstDueIn} ms");
                try
                {
                    await allDone.Task.WaitAsync(spread + TimeSpan.FromMinutes(Int("--wait-min", 10)));
                }
                catch (TimeoutException)
                {
                    // Reported below: how many fired in time, the lateness of those (a lower bound for the rest).
                }

                var sorted = late.Order().ToArray();
                await Console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"TIMERS store={store} sleepers={sleepers} fired={sorted.Length} spread_s={spread.TotalSeconds} late_p50_ms={Pct(sorted, 0.50)} late_p99_ms={Pct(sorted, 0.99)} late_max_ms={(sorted.Length > 0 ? sorted[^1] : 0)} setup_s={setup.Elapsed.TotalSeconds:0.0} first_due_in_ms={firstDueIn} load={LoadAverage()}"));
            }

            // (2) Claim throughput with no sleepers waiting vs with `idle` sleepers (due in a day).
            if (claimJobs > 0)
            {
                var before = await WorkAsync(scheduler, claimJobs);
                var seed = Stopwatch.StartNew();
                await SeedSleepersAsync(store, pg, dbPath, idle);
                await Console.Error.WriteLineAsync($"timers: {idle} idle sleepers seeded in {seed.Elapsed.TotalSeconds:0.0} s");
                var after = await WorkAsync(scheduler, claimJobs);
                await Console.Out.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"TIMER_CLAIMS store={store} jobs={claimJobs} idle_sleepers={idle} jobs_per_sec_without={before:0} jobs_per_sec_with={after:0} ratio={after / before:0.00}"));
            }

            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { dbPath, dbPath + "-wal", dbPath + "-shm", dbPath + "-leader" })
            {
                File.Delete(file);
            }
        }

        async Task<double> WorkAsync(Scheduler scheduler, int n)
        {
            Volatile.Write(ref workDone, 0);
            workAllDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref workTarget, n);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < n; i += 500)
            {
                await Task.WhenAll(Enumerable.Range(i, Math.Min(500, n - i)).Select(k => scheduler.ScheduleAsync(WorkFlow, k)));
            }

            await workAllDone.Task.WaitAsync(TimeSpan.FromMinutes(10));
            return n / watch.Elapsed.TotalSeconds;
        }
    }

    /// <summary>
    /// <c>--fire-only N</c>: the firing alone, no workers: N sleepers due now are seeded straight into the tables, then the
    /// store's <c>ResolveDueTimersAsync</c> is called in batches of 500 (as <c>TimerFiring</c> does) until none is left; prints
    /// the timers fired per second (a 100,000-timer burst over 60 s needs 1,667/s).
    /// </summary>
    private static async Task<int> FireOnlyAsync(Scheduler scheduler, string store, string? pg, string dbPath, int count)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await SeedSleepersAsync(store, pg, dbPath, count, now - (2L * count) - 1);
        var watch = Stopwatch.StartNew();
        var fired = 0;
        var batches = 0;
        int found;
        while ((found = await scheduler.Store.ResolveDueTimersAsync(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), 500)) > 0)
        {
            fired += found;
            batches++;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        await Console.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"TIMER_FIRING store={store} timers={count} fired={fired} batches={batches} seconds={seconds:0.00} timers_per_sec={fired / seconds:0} load={LoadAverage()}"));
        return 0;
    }

    private static long Pct(double[] sorted, double p) => sorted.Length == 0 ? 0 : (long)sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>The 1-minute load average (Linux), or "?" elsewhere: other work on the machine skews every figure.</summary>
    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>Blocking jobs, each with a pending timer due in a day, written straight into the tables as a step commit writes them.</summary>
    private static async Task SeedSleepersAsync(string store, string? pg, string dbPath, int count, long? firstDueAt = null)
    {
        var dueAt = firstDueAt ?? TimeProvider.System.GetUtcNow().AddDays(1).ToUnixTimeMilliseconds();
        if (store == "sqlite")
        {
            await using var connection = new SqliteConnection($"Data Source={dbPath}");
            await connection.OpenAsync();
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < @n)
                INSERT INTO jobs (id, flow, status, context, run_at, created_at, updated_at) SELECT 'sleeper-' || x, 'timer-idle', 2, '{}', 0, 0, 0 FROM g;
                WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < @n)
                INSERT INTO waits (job_id, wait_id, type, due_at) SELECT 'sleeper-' || x, 'nap', 'timer', @due + x FROM g;
                """;
            command.Parameters.AddWithValue("@n", count);
            command.Parameters.AddWithValue("@due", dueAt);
            await command.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        else
        {
            await using var connection = new NpgsqlConnection(pg);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at) SELECT 'sleeper-' || g, 'timer-idle', 2, '{}'::jsonb, 0, 0, 0 FROM generate_series(1, @n) g;
                INSERT INTO envoy.waits (job_id, wait_id, type, due_at) SELECT 'sleeper-' || g, 'nap', 'timer', @due + g FROM generate_series(1, @n) g;
                ANALYZE envoy.jobs; ANALYZE envoy.waits;
                """,
                connection);
            command.Parameters.AddWithValue("n", count);
            command.Parameters.AddWithValue("due", dueAt);
            await command.ExecuteNonQueryAsync();
        }
    }
}
