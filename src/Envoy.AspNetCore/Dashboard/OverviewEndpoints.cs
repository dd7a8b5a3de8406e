using Envoy.AspNetCore.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary><c>{prefix}/</c>: the overview page.</summary>
internal static class OverviewEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/", RenderAsync);

    private static async Task<IResult> RenderAsync(HttpContext http, JobScheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        var stats = await scheduler.GetJobStatsAsync(cancellationToken).ConfigureAwait(false);
        return DashboardPage.Render<OverviewPage>(new Dictionary<string, object?>
        {
            [nameof(OverviewPage.Context)] = DashboardContext.Of(http),
            [nameof(OverviewPage.Stats)] = stats,
            [nameof(OverviewPage.Now)] = time.GetUtcNow(),
        });
    }
}
