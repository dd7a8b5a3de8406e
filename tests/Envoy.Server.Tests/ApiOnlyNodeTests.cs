using Envoy.AspNetCore;
using Envoy.Server.Tests.Harness;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Envoy.Server.Tests;

/// <summary>
/// <c>Envoy:Server:RunWorkers = false</c>: an API-only node runs no job (its scheduler is not started as a worker), while
/// scheduling, queries and replies through it work; a worker on the same store runs its jobs.
/// </summary>
public sealed class ApiOnlyNodeTests
{
    [Fact]
    public async Task RunWorkersFalse_JobStaysPendingUntilAWorkerOnTheSameStoreRunsIt()
    {
        var path = NewDatabase();
        var ranOnApiNode = 0;
        await using var node = await StartNodeAsync(path, runWorkers: false, Where(() => Interlocked.Increment(ref ranOnApiNode), "api node"));
        var scheduler = node.Services.GetRequiredService<Scheduler>();

        // With workers, a job scheduled here would start here at once (eager start): it must stay pending instead.
        var id = await scheduler.ScheduleAsync("where");
        Assert.False(scheduler.IsRunning);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);

        await using var worker = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = path } });
        worker.AddFlow("where", Where(() => 0, "worker"));
        await worker.StartAsync();
        var job = await scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("worker", job.Context.Output<string>());
        Assert.Equal(0, Volatile.Read(ref ranOnApiNode));
    }

    [Fact]
    public async Task RunWorkersFalse_SchedulingQueriesAndRepliesGoThroughTheApiNode()
    {
        var path = NewDatabase();
        await using var node = await StartNodeAsync(path, runWorkers: false);
        var api = node.Services.GetRequiredService<Scheduler>();
        await using var worker = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = path } });
        worker.AddFlow("approval", SampleFlows.Approval());
        await worker.StartAsync();

        var id = await api.ScheduleAsync("approval", new { user = "alice", amount = 30 });
        var escalation = await Waiting.UntilAsync(
            async () => (await api.ListEscalationsAsync(EscalationStatus.Pending)).FirstOrDefault(e => e.JobId == id),
            e => e is not null,
            TimeSpan.FromMinutes(1),
            "the escalation, read through the API node");
        await api.ReplyToEscalationAsync(escalation!.Id, new Dictionary<string, object?> { ["decision"] = true }, EscalationDecision.Approved, "alice");

        Assert.Equal(JobStatus.Done, (await api.WaitForJobAsync(id, TimeSpan.FromMinutes(1))).Status);
    }

    [Fact]
    public async Task RunWorkersTrue_TheNodeRunsItsJobs()
    {
        await using var node = await StartNodeAsync(NewDatabase(), runWorkers: true, Where(() => 0, "api node"));
        var scheduler = node.Services.GetRequiredService<Scheduler>();

        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("where"), TimeSpan.FromMinutes(1));

        Assert.True(scheduler.IsRunning);
        Assert.Equal("api node", job.Context.Output<string>());
    }

    [Fact]
    public async Task EnvoyWorkerOptionsRunWorkersFalse_WithoutAddEnvoyServer_RunsNoJob()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.AddEnvoy().UseSqlite(NewDatabase()).AddFlow("where", Where(() => 0, "here"));
        builder.Services.Configure<EnvoyWorkerOptions>(o => o.RunWorkers = false);
        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<Scheduler>();

        var id = await scheduler.ScheduleAsync("where");

        Assert.False(scheduler.IsRunning);
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
        await host.StopAsync();
    }

    private static string NewDatabase() => Path.Combine(Directory.CreateTempSubdirectory("envoy-api-only-").FullName, "envoy.db");

    private static StateFlow Where(Func<int> ran, string where) => new(
    [
        new State("Where")
        {
            OnState = async ctx =>
            {
                ran();
                return ctx.Output(where);
            },
            Router = Router.End,
        },
    ]);

    private static async Task<Node> StartNodeAsync(string path, bool runWorkers, StateFlow? where = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Envoy:Server:RunWorkers"] = runWorkers ? "true" : "false",
        });
        var envoy = builder.Services.AddEnvoy().UseSqlite(path).AddSampleFlows();
        if (where is not null)
        {
            envoy.AddFlow("where", where);
        }

        builder.Services.AddEnvoyServer();
        var host = builder.Build();
        await host.StartAsync();
        return new Node(host);
    }

    private sealed class Node(IHost host) : IAsyncDisposable
    {
        public IServiceProvider Services => host.Services;

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
