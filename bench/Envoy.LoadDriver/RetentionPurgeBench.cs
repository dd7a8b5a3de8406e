using System.Diagnostics;
using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;
using Envoy.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Envoy.LoadDriver;

/// <summary>
/// <c>retention-purge</c> (issue 17): the claim latency on PostgreSQL while the retention purge deletes a million old finished
/// jobs, against the same probe without a purge, in the same run. The old jobs (3 history entries each) are bulk-inserted with
/// one <c>INSERT ... SELECT generate_series</c>; then <c>--probes</c> loops each create a job, claim it (timed) and commit it
/// done, first for <c>--baseline-seconds</c> without a purge, then while the runtime's <see cref="RetentionPurge"/> deletes
/// every old job (batches of 500, paused between batches).
/// </summary>
internal static class RetentionPurgeBench
{
    private const string Usage = "usage: retention-purge --pg CONNSTRING [--jobs 1000000] [--baseline-seconds 20] [--probes 4]";

    public static async Task<int> RunAsync(string[] args)
    {
        string? pg = null;
        var jobs = 1_000_000;
        var baselineSeconds = 20;
        var probes = 4;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException(Usage);
            switch (args[i])
            {
                case "--pg": pg = value; break;
                case "--jobs": jobs = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "--baseline-seconds": baselineSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "--probes": probes = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException(Usage);
            }

            i++;
        }

        if (pg is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = pg });
        await store.InitializeAsync();
        var setup = Stopwatch.StartNew();
        await ExecuteAsync(pg, "TRUNCATE envoy.jobs, envoy.job_events, envoy.waits, envoy.escalations");
        var old = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeMilliseconds();
        await ExecuteAsync(pg, $"""
            INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at, started_at, finished_at, version)
            SELECT 'old-' || g, 'old', 3, '{"{"}"state":"C","output":1{"}"}'::jsonb, {old} + g, {old} + g, {old} + g + 5, {old} + g, {old} + g + 5, 3
            FROM generate_series(1, {jobs}) g
            """);
        await ExecuteAsync(pg, $"""
            INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status)
            SELECT 'old-' || g, {old} + g, k, 0, 3 FROM generate_series(1, {jobs}) g CROSS JOIN (VALUES (0), (1), (2)) AS e(k)
            """);
        await ExecuteAsync(pg, "VACUUM ANALYZE envoy.jobs");
        await ExecuteAsync(pg, "VACUUM ANALYZE envoy.job_events");
        await Console.Out.WriteLineAsync($"setup: {jobs:N0} old finished jobs and {3L * jobs:N0} history entries in {setup.Elapsed.TotalSeconds:F1} s");

        var baseline = await ProbeAsync(store, probes, until: Task.Delay(TimeSpan.FromSeconds(baselineSeconds)));
        await ReportAsync("claims without a purge", baseline, TimeSpan.FromSeconds(baselineSeconds));

        var purge = new RetentionPurge(store, new FlowRegistry(), new SchedulerOptions { Retention = TimeSpan.FromDays(7) }, TimeProvider.System, NullLogger.Instance);
        await using (purge)
        {
            var purging = Stopwatch.StartNew();
            var run = Task.Run(() => purge.RunOnceAsync(() => true, CancellationToken.None));
            var during = await ProbeAsync(store, probes, until: run);
            var deleted = await run;
            await ReportAsync("claims during the purge", during, purging.Elapsed);
            await Console.Out.WriteLineAsync($"purge: {deleted.Jobs:N0} jobs, {deleted.Events:N0} history entries in {purging.Elapsed.TotalSeconds:F1} s ({deleted.Jobs / purging.Elapsed.TotalSeconds:N0} jobs/s)");
        }

        return 0;
    }

    private static async Task ReportAsync(string what, List<double> ms, TimeSpan elapsed)
    {
        ms.Sort();
        double At(double q) => ms.Count == 0 ? 0 : ms[Math.Min(ms.Count - 1, (int)(q * ms.Count))];
        await Console.Out.WriteLineAsync($"{what}: {ms.Count:N0} claims in {elapsed.TotalSeconds:F1} s, p50 {At(0.5):F2} ms, p99 {At(0.99):F2} ms, max {(ms.Count == 0 ? 0 : ms[^1]):F2} ms");
    }

    /// <summary>Probe loops until <paramref name="until"/> completes: create a job, claim it (timed), commit it done.</summary>
    private static async Task<List<double>> ProbeAsync(PostgresJobStore store, int probes, Task until)
    {
        var all = new List<double>();
        var loops = Enumerable.Range(0, probes).Select(p => Task.Run(async () =>
        {
            var flow = "probe-" + p;
            var ms = new List<double>();
            while (!until.IsCompleted)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var id = Guid.NewGuid().ToString();
                await store.CreateJobAsync(new NewJob(id, flow, new StateContext("A") { JobId = id }.Serialize(), 0, now, now, null, null, null));
                var started = Stopwatch.GetTimestamp();
                var claimed = await store.ClaimAsync(new ClaimRequest("probe", 1, now, now + 30_000, [flow]));
                ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                foreach (var job in claimed)
                {
                    await store.CommitAsync([new StepCommit
                    {
                        JobId = job.Id, Owner = "probe", ExpectedVersion = job.Version, Status = JobStatus.Done,
                        ContextJson = new StateContext("A") { JobId = job.Id }.Serialize(), NowMs = now + 1,
                    }]);
                }
            }

            return ms;
        })).ToList();
        foreach (var loop in loops)
        {
            all.AddRange(await loop);
        }

        return all;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // The bench's own SQL, with numbers it formats itself.
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync();
    }
}
