using Envoy.AspNetCore.Security;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Envoy.Server;

/// <summary>
/// The ready server's OpenTelemetry wiring: Envoy's metrics (meter <see cref="EnvoyTelemetry.MeterName"/>) and Npgsql's on a
/// Prometheus scrape endpoint at <see cref="MetricsPath"/>; with <see cref="OtlpEndpointVariable"/> set, also the traces
/// (source <see cref="EnvoyTelemetry.SourceName"/>, and Npgsql's) and the metrics over OTLP. Without it no trace is recorded
/// at all (nothing listens to the sources).
/// </summary>
internal static class ServerTelemetry
{
    /// <summary>The Prometheus scrape endpoint.</summary>
    public const string MetricsPath = ServerAnnouncer.Prefix + "/metrics";

    /// <summary>The standard OpenTelemetry variable of the OTLP endpoint; the exporter reads the other <c>OTEL_EXPORTER_OTLP_*</c> variables too.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The settings of <see cref="ServerTelemetryOptions.SectionName"/>.</summary>
    public static ServerTelemetryOptions OptionsOf(IConfiguration configuration)
    {
        var options = new ServerTelemetryOptions();
        configuration.GetSection(ServerTelemetryOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>Registers the exporters.</summary>
    public static void Add(WebApplicationBuilder builder, ServerTelemetryOptions options)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(EnvoyTelemetry.MeterName)
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(EnvoyTelemetry.SourceName).AddNpgsql());
            telemetry.UseOtlpExporter();
        }
    }

    /// <summary>Maps <see cref="MetricsPath"/>: for any caller with a key (or anonymous loopback), or for anyone when configured so.</summary>
    public static void Map(WebApplication app, ServerTelemetryOptions options)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (options.AnonymousMetrics)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(EnvoyAuthentication.ViewerPolicy);
        }
    }
}
