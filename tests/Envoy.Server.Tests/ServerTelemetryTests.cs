using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Envoy.Server.Tests.Harness;

namespace Envoy.Server.Tests;

/// <summary>The ready server's Prometheus scrape endpoint <c>/envoy/metrics</c>, through the real process.</summary>
public sealed class ServerTelemetryTests
{
    [Fact]
    public async Task Metrics_AfterAJobRan_ArePrometheusTextWithEnvoysMetrics_ForACallerWithAKey()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();
        using var client = server.Client();
        using var anonymous = server.Client(key: null);

        using var content = new StringContent("""{"flow":"hello"}""", Encoding.UTF8, "application/json");
        using var created = await client.PostAsync("envoy/api/jobs", content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        await Waiting.UntilAsync(
            async () => JsonNode.Parse(await client.GetStringAsync($"envoy/api/jobs/{id}")),
            j => j?["status"]?.GetValue<string>() == "done",
            TimeSpan.FromMinutes(1),
            $"job {id} to be done");

        // The exporter serves a scrape from its cache for a moment: read until the finished job's steps are in.
        var text = await Waiting.UntilAsync(
            () => client.GetStringAsync("envoy/metrics"),
            t => t.Contains("envoy_steps_completed_total{", StringComparison.Ordinal) && t.Contains("outcome=\"done\"", StringComparison.Ordinal),
            TimeSpan.FromMinutes(1),
            "the scrape to hold the job's steps");
        // The exporter may put its scope labels (otel_scope_name, ...) before the instrument's own: match the label anywhere.
        Assert.Matches("envoy_steps_started_total\\{[^}]*envoy_flow=\"hello\"", text);
        Assert.Contains("envoy_step_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("envoy_commit_duration_seconds_count", text, StringComparison.Ordinal);
        using var refused = await anonymous.GetAsync("envoy/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Metrics_WithAnonymousMetrics_AnswerWithoutAKey()
    {
        await using var server = ServerProcess.Start(variables: new Dictionary<string, string?> { ["Envoy__Telemetry__AnonymousMetrics"] = "true" });
        await server.WaitUntilReadyAsync();
        using var anonymous = server.Client(key: null);

        using var response = await anonymous.GetAsync("envoy/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal(0, await server.StopAsync());
    }
}
