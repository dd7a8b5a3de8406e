using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Envoy.Server.Tests;

/// <summary>The snippet of docs/operations.md, "Wiring it in an app", compiled and run (on a temporary file).</summary>
public sealed class TelemetrySnippetTests
{
    [Fact]
    public async Task DocsSnippet_WiresEnvoysSourceAndMeterIntoOpenTelemetry()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-telemetry-snippet-");
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();

        // --- the snippet (the store path is the temporary folder's) ---
        builder.Services.AddEnvoy().UseSqlite(Path.Combine(folder.FullName, "envoy.db"));
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(EnvoyTelemetry.SourceName).AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddMeter(EnvoyTelemetry.MeterName).AddOtlpExporter());
        // --- end of the snippet ---

        builder.Services.AddEnvoy().AddFlow("one", new StateFlow([new State("Only") { OnState = async ctx => ctx.Output(1), Router = Router.End }]));
        await using var app = builder.Build();
        await app.StartAsync();

        Assert.NotNull(app.Services.GetService<TracerProvider>());
        Assert.NotNull(app.Services.GetService<MeterProvider>());
        var scheduler = app.Services.GetRequiredService<Scheduler>();
        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("one"), TimeSpan.FromMinutes(1));
        Assert.Equal(JobStatus.Done, job.Status);
        await app.StopAsync();
    }
}
