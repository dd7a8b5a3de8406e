using System.Text.Json;
using Envoy.AspNetCore.Dashboard.Overview;
using Envoy.AspNetCore.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// <c>{prefix}/</c>: the overview page; <c>{prefix}/overview/throughput</c>: the throughput chart's data (JSON, for the page's
/// script: <c>{ since, interval, times, done, failed }</c>).
/// </summary>
internal static class OverviewEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/", RenderAsync);
        pages.MapGet("/overview/throughput", Throughput);
    }

    private static async Task<IResult> RenderAsync(
        HttpContext http, Scheduler scheduler, DashboardFailingFlows failing, TimeProvider time, CancellationToken cancellationToken)
    {
        var stats = await scheduler.GetJobStatsAsync(cancellationToken).ConfigureAwait(false);
        var flows = await failing.GetAsync(cancellationToken).ConfigureAwait(false);
        return DashboardPage.Render<OverviewPage>(new Dictionary<string, object?>
        {
            [nameof(OverviewPage.Context)] = DashboardContext.Of(http),
            [nameof(OverviewPage.Stats)] = stats,
            [nameof(OverviewPage.Failing)] = flows,
            [nameof(OverviewPage.Now)] = time.GetUtcNow(),
        });
    }

    private static IResult Throughput(DashboardThroughput throughput)
    {
        var snapshot = throughput.Read();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("since", snapshot.Since);
            json.WriteNumber("interval", (long)DashboardThroughput.Interval.TotalSeconds);
            Array(json, "times", snapshot.Times);
            Array(json, "done", snapshot.Done);
            Array(json, "failed", snapshot.Failed);
            json.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }

    private static void Array(Utf8JsonWriter json, string name, long[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }
}
