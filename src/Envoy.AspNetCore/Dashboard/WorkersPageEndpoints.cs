using Envoy.AspNetCore.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary><c>{prefix}/workers</c>: the live workers on the store and the flow versions each serves.</summary>
internal static class WorkersPageEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/workers", ListAsync);

    private static async Task<IResult> ListAsync(HttpContext http, Scheduler scheduler, TimeProvider time, CancellationToken cancellationToken)
    {
        var workers = await scheduler.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        return DashboardPage.Render<WorkersPage>(new Dictionary<string, object?>
        {
            [nameof(WorkersPage.Context)] = DashboardContext.Of(http),
            [nameof(WorkersPage.Workers)] = workers,
            [nameof(WorkersPage.Now)] = time.GetUtcNow(),
        });
    }
}
