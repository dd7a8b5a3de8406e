namespace Envoy.Server;

/// <summary>The ready server's telemetry settings, the section <c>Envoy:Telemetry</c>.</summary>
internal sealed class ServerTelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Envoy:Telemetry";

    /// <summary>
    /// Whether <c>/envoy/metrics</c> answers without a caller. Off by default: the scrape needs a key of any role (Prometheus:
    /// <c>authorization: { credentials: &lt;key&gt; }</c>), like the API's reads; turn it on when only the scraper can reach the port.
    /// </summary>
    public bool AnonymousMetrics { get; set; }

    /// <summary>The service name in the exported resource (<c>service.name</c>); default <c>envoy-server</c>.</summary>
    public string ServiceName { get; set; } = "envoy-server";
}
