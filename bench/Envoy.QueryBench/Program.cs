using Envoy;
using System.Diagnostics;
using System.Globalization;
using Envoy.QueryBench;
using Envoy.Storage.Postgres;
using Npgsql;

// Envoy.QueryBench --pg CONNSTRING [--jobs 1000000] [--calls 200] [--reseed]
// Seeds the store when it has no jobs (or with --reseed, after emptying it), then measures the scheduler calls behind the
// HTTP API's first pages and its stats: each ~--calls times after 10 warm-up calls, one at a time, and prints p50/p95/max.
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a, x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "true", StringComparer.Ordinal);
if (!options.TryGetValue("--pg", out var pg))
{
    Console.Error.WriteLine("usage: Envoy.QueryBench --pg CONNSTRING [--jobs 1000000] [--calls 200] [--reseed]");
    return 2;
}

var jobs = int.Parse(options.GetValueOrDefault("--jobs", "1000000"), CultureInfo.InvariantCulture);
var calls = int.Parse(options.GetValueOrDefault("--calls", "200"), CultureInfo.InvariantCulture);
await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = pg, Listen = false }))
{
    await store.InitializeAsync();
}

long existing;
await using (var connection = new NpgsqlConnection(pg))
{
    await connection.OpenAsync();
    if (options.ContainsKey("--reseed"))
    {
        await using var truncate = new NpgsqlCommand("TRUNCATE envoy.jobs, envoy.job_events, envoy.waits, envoy.escalations", connection);
        await truncate.ExecuteNonQueryAsync();
    }

    await using var count = new NpgsqlCommand("SELECT count(*) FROM envoy.jobs", connection);
    existing = (long)(await count.ExecuteScalarAsync())!;
}

if (existing == 0)
{
    var (insert, vacuum) = await JobSeeder.SeedAsync(pg, jobs, DateTimeOffset.UtcNow);
    Console.WriteLine($"SEED jobs={jobs} insert_s={insert.TotalSeconds:F1} vacuum_analyze_s={vacuum.TotalSeconds:F1}");
}
else
{
    Console.WriteLine($"SEED skipped: the store has {existing} jobs");
}

await using var bench = new PostgresJobStore(new PostgresConfig { ConnectionString = pg, Listen = false });
await using var scheduler = new Scheduler(bench, new SchedulerOptions(), ownsStore: false);
var someId = (await scheduler.ListJobsAsync(new JobQuery { Limit = 1, Offset = 1234 }))[0].Id;
var flow = JobSeeder.Flows[3];
const int Page = 50;
var cases = new List<(string Name, Func<Task<int>> Call, int Calls)>
{
    ("list", async () => (await scheduler.ListJobsAsync(new JobQuery { Limit = Page })).Count, calls),
    ("list status=failed", async () => (await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Failed, Limit = Page })).Count, calls),
    ("list status=running", async () => (await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Running, Limit = Page })).Count, calls),
    ("list flow", async () => (await scheduler.ListJobsAsync(new JobQuery { Flow = flow, Limit = Page })).Count, calls),
    ("list status=failed flow", async () => (await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Failed, Flow = flow, Limit = Page })).Count, calls),
    ("list status=running flow", async () => (await scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Running, Flow = flow, Limit = Page })).Count, calls),
    ("list page 3 (offset 100)", async () => (await scheduler.ListJobsAsync(new JobQuery { Offset = 100, Limit = Page })).Count, calls),
    ($"search common '{JobSeeder.CommonWord}'", async () => (await scheduler.ListJobsAsync(new JobQuery { Search = JobSeeder.CommonWord, Limit = Page })).Count, calls),
    ($"search common + status=failed", async () => (await scheduler.ListJobsAsync(new JobQuery { Search = JobSeeder.CommonWord, Status = JobStatus.Failed, Limit = Page })).Count, calls),
    ("search id prefix", async () => (await scheduler.ListJobsAsync(new JobQuery { Search = someId[..8], Limit = Page })).Count, Math.Max(5, calls / 40)),
    ($"search rare '{JobSeeder.RareWord}'", async () => (await scheduler.ListJobsAsync(new JobQuery { Search = JobSeeder.RareWord, Limit = Page })).Count, Math.Max(5, calls / 40)),
    ("stats (GetJobStatsAsync)", async () => (int)(await scheduler.GetJobStatsAsync()).Counts.Values.Sum(), calls),
    ("full count (GetJobCountsAsync)", async () => (int)(await scheduler.GetJobCountsAsync()).Values.Sum(), Math.Max(5, calls / 40)),
};

Console.WriteLine($"{"call",-34} {"n",5} {"rows",7} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
foreach (var (name, call, n) in cases)
{
    var rows = 0;
    for (var i = 0; i < Math.Min(10, n); i++)
    {
        rows = await call();
    }

    var times = new double[n];
    for (var i = 0; i < n; i++)
    {
        var started = Stopwatch.GetTimestamp();
        rows = await call();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    var p50 = times[(int)Math.Floor((n - 1) * 0.50)];
    var p95 = times[(int)Math.Ceiling((n - 1) * 0.95)];
    Console.WriteLine($"{name,-34} {n,5} {rows,7} {p50,8:F2} {p95,8:F2} {times[^1],8:F2}");
    Console.WriteLine(FormattableString.Invariant($"RESULT name=\"{name}\" n={n} rows={rows} p50_ms={p50:F2} p95_ms={p95:F2} max_ms={times[^1]:F2}"));
}

Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
