using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Envoy.AspNetCore;
using Envoy.QueryBench;
using Envoy.TestServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Envoy.ApiBench;

/// <summary>
/// <c>--mode list</c>: the first pages of <c>GET /envoy/api/jobs</c> and <c>GET /envoy/api/stats</c> over HTTP with a large
/// PostgreSQL store. Starts a throwaway PostgreSQL server, seeds it with <see cref="JobSeeder"/>, hosts the API on loopback
/// (no workers, one admin key), then times each request one at a time after a warm-up and prints p50/p95/p99. The
/// server is stopped by its PID at the end, also when the run fails or is interrupted (Ctrl+C).
/// </summary>
internal static class ListBench
{
    /// <summary>The admin key of the benchmark host.</summary>
    public const string Key = "api-bench-admin-key";
    private const int WarmupCalls = 20;

    /// <summary>Runs the benchmark; 0 when every request answered 200 with the expected rows.</summary>
    public static Task<int> RunAsync(int jobs, int calls) => RunSeededAsync(jobs, (connectionString, token) => MeasureAsync(connectionString, calls, token));

    /// <summary>
    /// Starts a throwaway PostgreSQL server, seeds it with <paramref name="jobs"/> jobs, runs <paramref name="measure"/> on it
    /// (its connection string), and stops the server by its PID, also when the run fails or is interrupted.
    /// </summary>
    public static async Task<int> RunSeededAsync(int jobs, Func<string, CancellationToken, Task<int>> measure)
    {
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupted.Cancel();
        };
        var token = interrupted.Token;
        var serverOptions = new PostgresServerOptions();
        serverOptions.Settings["shared_buffers"] = "512MB";
        await using var postgres = await PostgresServer.StartAsync(serverOptions, token);
        var pid = postgres.Pid;
        Console.WriteLine($"PostgreSQL pid {pid} on port {postgres.Port}; load average {LoadAverage()}");
        try
        {
            var (insert, vacuum) = await JobSeeder.SeedAsync(postgres.ConnectionString, jobs, TimeProvider.System.GetUtcNow(), token);
            Console.WriteLine(FormattableString.Invariant($"SEED jobs={jobs} insert_s={insert.TotalSeconds:F1} vacuum_analyze_s={vacuum.TotalSeconds:F1}; load average {LoadAverage()}"));
            return await measure(postgres.ConnectionString, token);
        }
        finally
        {
            await postgres.DisposeAsync();
            Console.WriteLine($"PostgreSQL pid {pid} stopped");
        }
    }

    /// <summary>The API and dashboard on loopback over the store at <paramref name="connectionString"/>: no workers, one admin key (<see cref="Key"/>).</summary>
    public static async Task<(WebApplication App, Uri Root)> StartHostAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddEnvoy().UsePostgres(connectionString);
        builder.Services.AddEnvoyServer(server =>
        {
            server.RunWorkers = false;
            server.ApiKeys.Add(new EnvoyApiKey { Key = Key, User = "bench", Role = EnvoyRoles.Admin });
        });
        var app = builder.Build();
        app.MapEnvoy("/envoy");
        await app.StartAsync(cancellationToken);
        var root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return (app, root);
    }

    private static async Task<int> MeasureAsync(string connectionString, int calls, CancellationToken cancellationToken)
    {
        var (app, root) = await StartHostAsync(connectionString, cancellationToken);
        await using var disposeApp = app;
        var scheduler = app.Services.GetRequiredService<Scheduler>();
        using var client = new HttpClient { BaseAddress = root };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        var flow = JobSeeder.Flows[3];
        // A job from the middle of the table, for the search by a whole id (a direct lookup).
        var middle = (await scheduler.ListJobsAsync(new JobQuery { Limit = 1, Offset = 500_000 % Math.Max(1, (int)(await scheduler.GetJobCountsAsync(cancellationToken)).Values.Sum()) }, cancellationToken))[0].Id;
        var cases = new List<(string Name, Func<Task<int>> Call, bool Target)>
        {
            ("GET /jobs", Get("envoy/api/jobs"), true),
            ("GET /jobs?status=failed", Get("envoy/api/jobs?status=failed"), true),
            ("GET /jobs?status=running", Get("envoy/api/jobs?status=running"), true),
            ($"GET /jobs?flow={flow}", Get($"envoy/api/jobs?flow={flow}"), true),
            ($"GET /jobs?status=running&flow={flow}", Get($"envoy/api/jobs?status=running&flow={flow}"), true),
            ($"GET /jobs?search={JobSeeder.CommonWord}", Get($"envoy/api/jobs?search={JobSeeder.CommonWord}"), true),
            ("GET /stats", Get("envoy/api/stats"), true),
            ("GET /jobs?search=<a job id>", Get($"envoy/api/jobs?search={middle}"), true),
            ("GET /jobs?limit=50 (same as default)", Get("envoy/api/jobs?limit=50"), false),
            ("GET /jobs?limit=1", Get("envoy/api/jobs?limit=1"), false),
            ("in-process ListJobsAsync(50)", async () => (await scheduler.ListJobsAsync(new JobQuery { Limit = 50 }, cancellationToken)).Count, false),
            ("in-process ListJobsAsync(50) + 50 histories", async () =>
            {
                var page = await scheduler.ListJobsAsync(new JobQuery { Limit = 50 }, cancellationToken);
                foreach (var job in page)
                {
                    _ = await scheduler.GetJobHistoryAsync(job.Id, cancellationToken);
                }

                return page.Count;
            }, false),
        };

        Console.WriteLine($"{"request (first page, sequential)",-44} {"n",5} {"rows",7} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}  target p95 <= 50");
        var failed = false;
        // Warm-up: every route first (JIT, connection pool, PostgreSQL's caches), so the first route measured is not the coldest.
        foreach (var (_, call, _) in cases)
        {
            for (var i = 0; i < WarmupCalls; i++)
            {
                _ = await call();
            }
        }

        foreach (var (name, call, target) in cases)
        {
            var rows = 0;
            var times = new double[calls];
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                rows = await call();
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(times);
            var p50 = times[(int)Math.Floor((calls - 1) * 0.50)];
            var p95 = times[(int)Math.Ceiling((calls - 1) * 0.95)];
            var p99 = times[(int)Math.Ceiling((calls - 1) * 0.99)];
            var verdict = target ? (p95 <= 50 ? "met" : "MISSED") : "";
            failed |= rows == 0;
            Console.WriteLine($"{name,-44} {calls,5} {rows,7} {p50,8:F2} {p95,8:F2} {p99,8:F2} {times[^1],8:F2}  {verdict}");
            Console.WriteLine(FormattableString.Invariant($"RESULT name=\"{name}\" n={calls} rows={rows} p50_ms={p50:F2} p95_ms={p95:F2} p99_ms={p99:F2} max_ms={times[^1]:F2} load=\"{LoadAverage()}\""));
        }

        // A rare term (one job in 100,000): it reads most of the table, so the store stops it after its search timeout and the
        // route answers 422 search_timeout. Few calls: each runs for the whole timeout.
        var rareCalls = Math.Max(5, calls / 20);
        var rare = new double[rareCalls];
        var statuses = new SortedSet<int>();
        for (var i = 0; i < rareCalls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync($"envoy/api/jobs?search={JobSeeder.RareWord}", cancellationToken);
            _ = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            rare[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            statuses.Add((int)response.StatusCode);
        }

        Array.Sort(rare);
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT name=\"GET /jobs?search={JobSeeder.RareWord} (rare)\" n={rareCalls} statuses={string.Join('/', statuses)} p50_ms={rare[(rareCalls - 1) / 2]:F2} max_ms={rare[^1]:F2} load=\"{LoadAverage()}\""));

        await app.StopAsync(CancellationToken.None);
        return failed ? 1 : 0;

        // A GET that must answer 200; returns the number of listed jobs (for the stats, the total counted).
        Func<Task<int>> Get(string path) => async () =>
        {
            using var response = await client.GetAsync(path, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            }

            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("items", out var items)
                ? items.GetArrayLength()
                : json.RootElement.GetProperty("total").GetInt32();
        };
    }

    /// <summary>The machine's load average (<c>/proc/loadavg</c>).</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();
}
