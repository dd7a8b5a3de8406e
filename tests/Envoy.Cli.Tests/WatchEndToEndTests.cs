using System.Text.Json.Nodes;
using Envoy.Cli.Tests.Harness;
using Envoy.Server.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.Cli.Tests;

/// <summary>
/// <c>envoy watch</c> end to end: a real <c>Envoy.Server</c> process on PostgreSQL, a worker (this test process) on the same
/// database running a flow that reports progress, and the CLI as a process following the job through the server's event
/// stream: the progress reported in the worker crosses to the server (NOTIFY) and is printed by the CLI, then the job's end.
/// </summary>
[Collection(MigratePostgres.Name)]
public sealed class WatchEndToEndTests(PostgresFixture postgres)
{
    private const string Flow = "report";
    private const string Probe = "probe";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Watch_AJobReportingProgressInAnotherProcess_PrintsTheProgress_AndTheEnd()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var ct = timeout.Token;
        var connectionString = await postgres.CreateFreshDatabaseAsync(ct);
        await using var server = ServerProcess.Start(variables: new Dictionary<string, string?>
        {
            ["Envoy__Sqlite__Path"] = null,
            ["Envoy__Postgres__ConnectionString"] = connectionString,
        });
        await server.WaitUntilReadyAsync();
        await using var worker = await Scheduler.InitAsync(new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = connectionString }, Concurrency = 2 }, ct);
        worker.AddFlow(Probe, new StateFlow([new State("P") { OnState = async ctx => ctx.Output(1) }]));
        worker.AddFlow(Flow, new StateFlow(
        [
            new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("go", "signal")), Router = Router.Next("Half") },
            new State("Half")
            {
                OnState = async ctx =>
                {
                    ctx.Report(new { percent = 50 });
                    return ctx;
                },
                Router = Router.Next("Answer"),
            },
            new State("Answer")
            {
                OnState = async ctx =>
                {
                    ctx.Report(new JsonObject { ["kind"] = "answer", ["text"] = "The answer is 42.", ["offset"] = 0, ["length"] = 17 });
                    return ctx.Output("The answer is 42.");
                },
                Router = Router.End,
            },
        ]));
        await worker.StartAsync(ct);

        // The server listens to the store's events once a client streams them; a worker sends them once it knows someone
        // listens (it asks every two seconds): a stream of our own shows when the worker's events reach the server.
        using var http = server.Client();
        using var events = await http.GetAsync("envoy/api/events", HttpCompletionOption.ResponseHeadersRead, ct);
        events.EnsureSuccessStatusCode();
        using var stream = new StreamReader(await events.Content.ReadAsStreamAsync(ct));
        await WaitUntilTheServerHearsTheWorkerAsync(worker, stream, ct);

        var id = await worker.ScheduleAsync(Flow, cancellationToken: ct);
        await PollAsync(() => worker.GetJobAsync(id, ct), j => j.Status == JobStatus.Blocking, ct);
        using var watch = RunningCli.Start("watch", id, "--url", $"http://127.0.0.1:{server.Port}/envoy", "--key", ServerProcess.AdminKey);
        await watch.WaitForLineAsync("Watching job", Patience); // subscribed to the job's events, then read it
        await worker.ResolveBlockingJobAsync(id, "go", "now", ct);
        var result = (await watch.WaitForExitAsync(Patience)).Expect(0);

        var lines = result.Stdout.Split('\n');
        int IndexOf(string text) => Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.StartsWith($"Watching job {id} ({Flow}): blocking, state Wait", lines[0], StringComparison.Ordinal);
        var half = IndexOf("""progress Half (step """);
        var answer = IndexOf("answer: The answer is 42.");
        var finished = IndexOf("jobFinished done");
        Assert.True(half > 0, result.ToString());
        Assert.EndsWith("""): {"percent":50}""", lines[half], StringComparison.Ordinal);
        Assert.True(answer > half, result.ToString());
        Assert.True(finished > answer, result.ToString());
        Assert.True(IndexOf($"Job {id} done.") > finished, result.ToString());
        Assert.Contains("Output: \"The answer is 42.\"", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs probe jobs on <paramref name="worker"/> until the server's stream (<paramref name="stream"/>) carries the end of one.
    /// </summary>
    private static async Task WaitUntilTheServerHearsTheWorkerAsync(Scheduler worker, StreamReader stream, CancellationToken ct)
    {
        var probes = new HashSet<string>(StringComparer.Ordinal);
        var read = stream.ReadLineAsync(ct).AsTask();
        string? lastEvent = null;
        while (true)
        {
            probes.Add(await worker.ScheduleAsync(Probe, cancellationToken: ct));
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quiet.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                while (true)
                {
                    var line = await read.WaitAsync(quiet.Token) ?? throw new InvalidOperationException("The server ended its event stream.");
                    read = stream.ReadLineAsync(ct).AsTask();
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        lastEvent = line["event: ".Length..];
                    }
                    else if (lastEvent == "jobFinished" && line.StartsWith("data: ", StringComparison.Ordinal)
                        && JsonNode.Parse(line["data: ".Length..])?["jobId"]?.GetValue<string>() is { } jobId && probes.Contains(jobId))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Nothing of ours within a second: schedule another probe.
            }
        }
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> until, CancellationToken ct)
    {
        while (true)
        {
            var value = await read();
            if (until(value))
            {
                return value;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), ct); // polling a job's status, bounded by ct
        }
    }
}
