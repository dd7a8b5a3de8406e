using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// The web dashboard under <c>{prefix}/</c>: pages drawn on the server (Razor components), a small script module for live
/// updates, the sign-in form, and the served files. Every page needs a signed-in user (session cookie, an API key, or anonymous
/// loopback when allowed); a page that changes a job posts a form with an antiforgery token, and the role is checked again on
/// the server.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(RouteGroupBuilder envoy, string prefix)
    {
        var dashboard = envoy.MapGroup(string.Empty)
            .WithMetadata(new DashboardPaths(prefix.TrimEnd('/')))
            .ExcludeFromDescription()
            .DisableAntiforgery() // validated by DashboardAntiforgeryFilter on each POST, without needing the host's middleware
            .AddEndpointFilter<DashboardHeadersFilter>();
        DashboardAssets.Map(dashboard);
        SignInEndpoints.Map(dashboard);

        var pages = dashboard.MapGroup(string.Empty).RequireAuthorization(EnvoyAuthentication.DashboardPolicy);
        OverviewEndpoints.Map(pages);
        Jobs.JobsListEndpoints.Map(pages);
        JobPageEndpoints.Map(pages);
        FlowPageEndpoints.Map(pages);
        EscalationsInboxEndpoints.Map(pages);
        RecurringPageEndpoints.Map(pages);
        WorkersPageEndpoints.Map(pages);
    }
}
