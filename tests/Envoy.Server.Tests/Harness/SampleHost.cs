using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Envoy.Server.Tests.Harness;

/// <summary>
/// A generic host with <c>AddEnvoy().UseSqlite(a fresh file).AddSampleFlows()</c>, the registration the ready server uses, started:
/// a real scheduler with its workers on an in-process SQLite store.
/// </summary>
public sealed class SampleHost : IAsyncDisposable
{
    private readonly IHost _host;

    private SampleHost(IHost host, string databasePath)
    {
        _host = host;
        DatabasePath = databasePath;
    }

    public string DatabasePath { get; }

    public Scheduler Scheduler => _host.Services.GetRequiredService<Scheduler>();

    public static async Task<SampleHost> StartAsync(int concurrency = 4)
    {
        var folder = Directory.CreateTempSubdirectory("envoy-server-flows-");
        var path = Path.Combine(folder.FullName, "envoy.db");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Services.AddEnvoy(config =>
        {
            config.Concurrency = concurrency;
            config.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            config.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
        }).UseSqlite(path).AddSampleFlows();
        var host = builder.Build();
        await host.StartAsync();
        return new SampleHost(host, path);
    }

    /// <summary>Schedules <paramref name="flow"/> and waits (up to a minute) until the job ends.</summary>
    public async Task<Job> RunAsync(string flow, object? input = null)
    {
        var id = await Scheduler.ScheduleAsync(flow, input);
        return await Scheduler.WaitForJobAsync(id, TimeSpan.FromMinutes(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
