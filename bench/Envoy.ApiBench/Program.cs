using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Envoy;
using Envoy.ApiBench;
using Envoy.AspNetCore;
using Envoy.TestServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Scheduling through the HTTP API (POST /envoy/api/jobs, C concurrent HTTP clients, each on its own connection) against
// ScheduleAsync in-process (C concurrent callers) on the same store in the same run. The node runs no worker
// (Envoy:Server:RunWorkers = false), so both measure scheduling alone.
var options = BenchOptions.Parse(args);
if (options.Mode == "list")
{
    return await ListBench.RunAsync(options.SeedJobs, options.Calls);
}

if (options.Mode == "dashboard")
{
    return await DashboardBench.RunAsync(options.SeedJobs, options.Calls);
}

const string Key = "api-bench-key";
await using var postgres = options.Store == "postgres" ? await PostgresServer.StartAsync() : null;
var folder = Directory.CreateTempSubdirectory("envoy-api-bench-");
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
    var envoy = builder.Services.AddEnvoy().AddFlow("noop", new StateFlow([new State("Only") { OnState = ctx => Task.FromResult(ctx), Router = Router.End }]));
    if (postgres is not null)
    {
        envoy.UsePostgres(postgres.ConnectionString);
    }
    else
    {
        envoy.UseSqlite(Path.Combine(folder.FullName, "envoy.db"));
    }

    builder.Services.AddEnvoyServer(server =>
    {
        server.RunWorkers = false;
        server.ApiKeys.Add(new EnvoyApiKey { Key = Key, User = "bench", Role = EnvoyRoles.Operator });
    });
    await using var app = builder.Build();
    app.MapEnvoy("/envoy");
    // The HTTP floor of the breakdown: a POST that reads its body and answers 201 with a small JSON, with no auth, filter or store.
    app.MapPost("/bench/floor", async (HttpRequest request) =>
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return Results.Json(new { id = "floor", status = "pending" }, statusCode: StatusCodes.Status201Created);
    });
    await app.StartAsync();
    var root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    var scheduler = app.Services.GetRequiredService<Scheduler>();
    var clients = Enumerable.Range(0, options.Clients).Select(_ =>
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = root };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }).ToArray();

    async Task ViaApiAsync(int caller, int i)
    {
        using var body = new StringContent($"{{\"flow\":\"noop\",\"input\":{{\"i\":{i}}}}}", Encoding.UTF8, "application/json");
        using var response = await clients[caller].PostAsync("envoy/api/jobs", body);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /envoy/api/jobs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    Task InProcessAsync(int caller, int i) => scheduler.ScheduleAsync("noop", new { i });

    // What the POST route did before it answered from the scheduled job: schedule, then read the job back.
    async Task InProcessWithReadAsync(int caller, int i)
    {
        var scheduled = await scheduler.ScheduleJobAsync("noop", new { i });
        _ = await scheduler.GetJobAsync(scheduled.Id);
    }

    async Task FloorAsync(int caller, int i)
    {
        using var body = new StringContent($"{{\"flow\":\"noop\",\"input\":{{\"i\":{i}}}}}", Encoding.UTF8, "application/json");
        using var response = await clients[caller].PostAsync("bench/floor", body);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /bench/floor answered {(int)response.StatusCode}");
        }
    }

    await RunAsync(options.Warmup, options.Clients, InProcessAsync);
    await RunAsync(options.Warmup, options.Clients, ViaApiAsync);
    var inProcess = new List<double>();
    var api = new List<double>();
    for (var round = 0; round < options.Rounds; round++)
    {
        inProcess.Add(await RunAsync(options.Jobs, options.Clients, InProcessAsync));
        api.Add(await RunAsync(options.Jobs, options.Clients, ViaApiAsync));
        Console.Error.WriteLine($"round {round + 1}: in-process {inProcess[^1]:0} jobs/s, API {api[^1]:0} jobs/s");
    }

    // Where an API request's time goes (same run): the HTTP floor alone, and in-process scheduling with the read-back.
    await RunAsync(options.Warmup, options.Clients, FloorAsync);
    var floor = await RunAsync(options.Jobs, options.Clients, FloorAsync);
    var withRead = await RunAsync(options.Jobs, options.Clients, InProcessWithReadAsync);
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"BREAKDOWN store={options.Store} clients={options.Clients} http_floor_req_per_sec={floor:0} inproc_schedule_and_read_jobs_per_sec={withRead:0} load=\"{File.ReadAllText("/proc/loadavg").Trim()}\""));

    var counts = await scheduler.GetJobCountsAsync();
    var expected = ((long)(options.Warmup + (options.Jobs * options.Rounds)) * 2) + options.Jobs;
    var stored = counts.Values.Sum();
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"API_SCHEDULE store={options.Store} clients={options.Clients} n={options.Jobs} rounds={options.Rounds} inproc_jobs_per_sec={inProcess.Average():0} api_jobs_per_sec={api.Average():0} ratio={api.Average() / inProcess.Average():0.00} stored={stored} expected={expected} load=\"{File.ReadAllText("/proc/loadavg").Trim()}\""));
    foreach (var client in clients)
    {
        client.Dispose();
    }

    await app.StopAsync();
    return stored == expected ? 0 : 1;
}
finally
{
    folder.Delete(recursive: true);
}

// Runs n calls with c concurrent callers; returns calls per second.
static async Task<double> RunAsync(int n, int c, Func<int, int, Task> call)
{
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, c).Select(caller => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            await call(caller, i);
        }
    })));
    return n / watch.Elapsed.TotalSeconds;
}
