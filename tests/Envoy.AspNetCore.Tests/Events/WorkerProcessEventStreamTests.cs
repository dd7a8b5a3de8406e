using System.Globalization;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Events;

/// <summary>
/// The SSE stream of an API-only node (no workers of its own, as a dashboard node usually is) carries the events of jobs a
/// worker in another process runs: tests/Envoy.PgWorker, started as a real process on the same store (PostgreSQL
/// <c>NOTIFY</c>; with Redis, Redis pub/sub).
/// </summary>
public abstract class WorkerProcessEventStreamTests(EventsStore store) : IAsyncLifetime
{
    private const int Jobs = 10;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private EventsHost? _host;

    public async Task InitializeAsync() => _host = await EventsHost.StartAsync(store, server: o => o.RunWorkers = false);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Jobs_run_by_a_worker_process_reach_the_stream_of_an_api_only_node()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var host = _host!;
        var config = new SchedulerConfig();
        host.Store(config);
        using var viewer = host.Client(ApiKeys.Viewer);
        await using var sse = await SseClient.OpenAsync(viewer, "envoy/api/events");

        // The stream's subscription announces this node as a listener; a worker sends events only while someone listens.
        var transport = host.Scheduler.Store.EventTransport!;
        while (!await transport.HasListenersAsync(TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), timeout.Token))
        {
            await Task.Delay(20, timeout.Token);
        }

        List<string> args =
        [
            "--postgres", config.Postgres!.ConnectionString!, "--flow", "chain", "--concurrency", "4", "--work-ms", "0",
            "--schedule", Jobs.ToString(CultureInfo.InvariantCulture),
        ];
        if (config.Redis is { } redis)
        {
            args.AddRange(["--redis", redis.ConnectionString!]);
        }

        using var worker = DotnetWorkerProcess.Start(DotnetWorkerProcess.BuiltPath(typeof(WorkerProcessEventStreamTests).Assembly, "PgWorkerDll"), [.. args]);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var messages = await sse.ReadUntilAsync(
            e => e.Event == "jobFinished" && finished.Add(JobOf(e)!) && finished.Count == Jobs,
            Timeout);
        await worker.KillAsync(timeout.Token);

        var byJob = messages.Where(e => !e.IsComment && JobOf(e) is not null).GroupBy(e => JobOf(e)!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Jobs, byJob.Count);
        Assert.All(byJob.Values, events =>
        {
            Assert.Equal(["A", "B", "C"], events.Where(e => e.Event == "stepStarted").Select(e => Data(e)["state"]!.GetValue<string>()));
            var end = Assert.Single(events, e => e.Event == "jobFinished");
            Assert.Equal("done", Data(end)["status"]!.GetValue<string>());
            Assert.Equal("chain", Data(end)["flow"]!.GetValue<string>());
        });
        Assert.NotNull(await host.Scheduler.Store.GetJobAsync(byJob.Keys.First(), timeout.Token)); // the worker ran them on this node's store
    }

    private static JsonNode Data(SseMessage e) => JsonNode.Parse(e.Data)!;

    private static string? JobOf(SseMessage e) => e.IsComment ? null : Data(e)["jobId"]?.GetValue<string>();
}

[Collection(SharedServers.Name)]
public sealed class PostgresWorkerProcessEventStreamTests(PostgresFixture postgres) : WorkerProcessEventStreamTests(EventsStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisWorkerProcessEventStreamTests(PostgresFixture postgres, RedisFixture redis)
    : WorkerProcessEventStreamTests(EventsStore.PostgresRedis(postgres, redis));
