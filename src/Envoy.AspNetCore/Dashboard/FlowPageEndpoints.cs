using Envoy.AspNetCore.Dashboard.Jobs;
using Envoy.AspNetCore.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary><c>{prefix}/flows</c>: the registered flows; <c>{prefix}/flows/{name}</c>: one flow drawn as a graph. No store call.</summary>
internal static class FlowPageEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/flows", List);
        pages.MapGet("/flows/{name}", Show);
    }

    private static RazorComponentResult<FlowsPage> List(HttpContext http, Scheduler scheduler) =>
        DashboardPage.Render<FlowsPage>(new Dictionary<string, object?>
        {
            [nameof(FlowsPage.Context)] = DashboardContext.Of(http),
            [nameof(FlowsPage.Flows)] = scheduler.Flows.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value.Describe())).ToList(),
        });

    private static IResult Show(string name, HttpContext http, Scheduler scheduler)
    {
        if (!scheduler.Flows.TryGetValue(name, out var flow))
        {
            return DashboardPage.Render<JobMessagePage>(
                new Dictionary<string, object?>
                {
                    [nameof(JobMessagePage.Context)] = DashboardContext.Of(http),
                    [nameof(JobMessagePage.Title)] = "Flow not found",
                    [nameof(JobMessagePage.Text)] = $"No flow is registered as '{name}'.",
                },
                StatusCodes.Status404NotFound);
        }

        return DashboardPage.Render<FlowPage>(new Dictionary<string, object?>
        {
            [nameof(FlowPage.Context)] = DashboardContext.Of(http),
            [nameof(FlowPage.Name)] = name,
            [nameof(FlowPage.Description)] = flow.Describe(),
            [nameof(FlowPage.Graph)] = FlowGraph.Of(flow),
        });
    }
}
