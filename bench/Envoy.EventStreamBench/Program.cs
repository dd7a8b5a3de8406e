using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using Envoy;
using Envoy.AspNetCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The live event stream under many clients: C clients connected to GET /envoy/api/events each receive every event of J jobs
// (three steps each: 7 events per job). A client whose stream ends (it fell behind and was dropped) reconnects with
// Last-Event-ID, as a browser's EventSource does. Prints completeness, time and process memory before and after.
// With --rounds R, R batches of J jobs one after the other, memory measured after each (it should stay flat).
//   dotnet run -c Release --project bench/Envoy.EventStreamBench -- [--clients 200] [--jobs 1000] [--rounds 1] [--postgres CONNSTRING]
var clients = Arg("--clients", 200);
var jobs = Arg("--jobs", 1000);
var postgres = ArgText("--postgres");
var rounds = Arg("--rounds", 1);
const int EventsPerJob = 7;
const string Key = "bench-key";

var folder = Directory.CreateTempSubdirectory("envoy-ssebench-");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
var envoy = builder.Services.AddEnvoy(c => c.Concurrency = 16);
_ = postgres is null ? envoy.UseSqlite(Path.Combine(folder.FullName, "envoy.db")) : envoy.UsePostgres(postgres);
envoy.AddFlow("bench", new StateFlow(
[
    new State("A") { OnState = async ctx => ctx.Output(1), Router = Router.Next("B") },
    new State("B") { OnState = async ctx => ctx.Output(2), Router = Router.Next("C") },
    new State("C") { OnState = async ctx => ctx.Output(3), Router = Router.End },
]));
builder.Services.AddEnvoyServer(o => o.ApiKeys.Add(new EnvoyApiKey { Key = Key, User = "bench", Role = "viewer" }));
await using var app = builder.Build();
app.MapEnvoy("/envoy");
await app.StartAsync();
var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
var scheduler = app.Services.GetRequiredService<Scheduler>();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients + 10 }) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
var baseline = Memory();
Console.Error.WriteLine($"server up; memory before clients: {baseline}");

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var received = new long[clients];
var finished = new int[clients];
var reconnects = 0;
var allDone = new CountdownEvent(clients);
var connected = new CountdownEvent(clients);
var readers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
{
    string? lastId = null;
    var last = 0L; // ids increase: one at or below the last was counted already (no per-id memory in the client)
    var first = true;
    while (!stop.IsCancellationRequested)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "envoy/api/events");
        if (lastId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        if (first)
        {
            first = false;
            connected.Signal();
        }

        await using var stream = await response.Content.ReadAsStreamAsync(stop.Token);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(stop.Token))
        {
            lastId = item.EventId ?? lastId;
            if (item.EventId is { } id && long.Parse(id, CultureInfo.InvariantCulture) is var number)
            {
                if (number <= last)
                {
                    continue; // never counted twice
                }

                last = number;
            }

            received[c]++;
            if (item.EventType == "jobFinished" && ++finished[c] == jobs * rounds)
            {
                allDone.Signal();
                return;
            }
        }

        Interlocked.Increment(ref reconnects);
    }
})).ToArray();

connected.Wait(stop.Token);
var connectedMemory = Memory();
Console.Error.WriteLine($"{clients} clients connected; memory: {connectedMemory}");
var clock = Stopwatch.StartNew();
var afterRounds = new List<MemoryFigures>();
var complete = true;
for (var round = 1; round <= rounds; round++)
{
    for (var offset = 0; offset < jobs; offset += 100)
    {
        await Task.WhenAll(Enumerable.Range(offset, Math.Min(100, jobs - offset)).Select(i => scheduler.ScheduleAsync("bench", i)));
    }

    // This round is done when every client has every job end so far.
    var deadline = Stopwatch.StartNew();
    while (finished.Min() < jobs * round && deadline.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(20);
    }

    complete &= finished.Min() >= jobs * round;
    afterRounds.Add(Memory());
    Console.Error.WriteLine($"round {round}: {clock.Elapsed.TotalSeconds:F2} s, memory {afterRounds[^1]}");
}

complete &= allDone.Wait(TimeSpan.FromSeconds(30), stop.Token);
var elapsed = clock.Elapsed;
var total = received.Sum();
var expected = (long)clients * jobs * rounds * EventsPerJob;
var after = afterRounds[^1];
await stop.CancelAsync();
await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
Console.WriteLine($"event stream: {clients} clients x {rounds} x {jobs} jobs ({EventsPerJob} events each), store {(postgres is null ? "sqlite" : "postgres")}");
Console.WriteLine($"  received:  {total} of {expected} events ({100.0 * total / expected:F2}%), every client all {jobs * rounds} job ends: {(complete ? "yes" : "NO")}, {reconnects} reconnects");
Console.WriteLine($"  time:      {elapsed.TotalSeconds:F2} s from the first schedule to the last client's last job end ({total / elapsed.TotalSeconds:F0} deliveries/s)");
Console.WriteLine($"  memory:    before clients {baseline}; connected {connectedMemory}; after each round: {string.Join("; ", afterRounds)}");
Console.WriteLine(
    $"SSE_BENCH clients={clients} jobs={jobs} rounds={rounds} received={total} expected={expected} complete={complete.ToString().ToLowerInvariant()} reconnects={reconnects} seconds={elapsed.TotalSeconds:F2} " +
    $"rss_before_mb={baseline.Rss:F1} rss_connected_mb={connectedMemory.Rss:F1} rss_after_mb={after.Rss:F1} heap_connected_mb={connectedMemory.Heap:F1} heap_after_mb={after.Heap:F1}");
await app.StopAsync();
folder.Delete(recursive: true);
return complete ? 0 : 1;

int Arg(string name, int fallback) => ArgText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? ArgText(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static MemoryFigures Memory()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var rss = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    var kb = long.Parse(rss["VmRSS:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
    return new MemoryFigures(kb / 1024.0, GC.GetTotalMemory(forceFullCollection: false) / 1024.0 / 1024.0);
}

internal readonly record struct MemoryFigures(double Rss, double Heap)
{
    public override string ToString() => $"RSS {Rss:F1} MB, managed heap {Heap:F1} MB";
}
