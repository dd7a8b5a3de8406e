using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Envoy.Tests;

public class DependencyInjectionTests
{
    private static StateFlow Echo() => new([new State("Only") { OnState = async ctx => ctx.Output("echo:" + ctx.Input<string>()) }]);

    [Fact]
    public async Task AddEnvoy_HostedWorker_RunsJobsOfRegisteredFlows()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEnvoy(o => o.Concurrency = 2).UseSqlite(":memory:").AddFlow("echo", Echo());
        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<Scheduler>();
        Assert.Same(scheduler, host.Services.GetRequiredService<Scheduler>());
        var id = await scheduler.ScheduleAsync("echo", "hi");
        var job = await scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(10));
        Assert.Equal("echo:hi", job.Context.Output<string>());
        await host.StopAsync();
        Assert.False(scheduler.IsRunning);
    }

    [Fact]
    public async Task AddEnvoy_InvalidOptions_FailAtStartListingEveryError()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddEnvoy(o =>
        {
            o.Concurrency = 0;
            o.MaxRetries = -1;
        }).UseSqlite(":memory:");
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(error.Failures, f => f.Contains("Concurrency", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void AddEnvoy_CalledTwice_RegistersOneSchedulerAndOneWorker()
    {
        var services = new ServiceCollection();
        services.AddEnvoy().UseSqlite(":memory:");
        services.AddEnvoy();
        Assert.Single(services, d => d.ServiceType == typeof(Scheduler));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task SchedulerCreatedByDi_OpensStoreOnFirstUse_BeforeHostStart()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddEnvoy().UseSqlite(":memory:").AddFlow("echo", Echo());
        await using var provider = services.BuildServiceProvider();
        var scheduler = provider.GetRequiredService<Scheduler>();
        var id = await scheduler.ScheduleAsync("echo", "x");
        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
    }
}
