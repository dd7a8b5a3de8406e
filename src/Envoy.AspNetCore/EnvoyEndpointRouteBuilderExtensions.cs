using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore;

/// <summary>Maps Envoy's HTTP API, live events, health and dashboard into an ASP.NET Core app.</summary>
public static class EnvoyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the API under <c>{prefix}/api</c> (every route needs a caller; see <see cref="EnvoyRoles"/>), the health check at
    /// <c>{prefix}/healthz</c> (anonymous) and the dashboard under <c>{prefix}/</c>. Needs <c>services.AddEnvoy()</c> and
    /// <c>services.AddEnvoyServer()</c>.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">Where Envoy lives (default <c>/envoy</c>).</param>
    /// <returns>The route group of everything Envoy mapped.</returns>
    public static RouteGroupBuilder MapEnvoy(this IEndpointRouteBuilder endpoints, string prefix = "/envoy")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        var envoy = endpoints.MapGroup(prefix).WithGroupName(OpenApi.EnvoyOpenApi.DocumentName);

        var api = envoy.MapGroup("/api")
            .RequireAuthorization(EnvoyAuthentication.ViewerPolicy)
            .AddEndpointFilter<EnvoyErrorFilter>()
            .AddEndpointFilter<BodySizeLimitFilter>()
            .AddEndpointFilter<RequestTimeoutFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        Endpoints.JobsEndpoints.Map(api);
        Endpoints.FlowsEndpoints.Map(api);
        Endpoints.EscalationsEndpoints.Map(api);
        Endpoints.StatsEndpoints.Map(api);
        Endpoints.RecurringEndpoints.Map(api);
        Endpoints.WorkersEndpoints.Map(api);

        // The events route (GET {prefix}/api/events) is mapped here.
        Events.EventsEndpoints.Map(api, endpoints.ServiceProvider);
        // The health check ({prefix}/healthz) and the OpenAPI document ({prefix}/api/openapi.json) are mapped here.
        Health.HealthEndpoint.Map(envoy);
        OpenApi.EnvoyOpenApi.Map(api);
        Dashboard.DashboardEndpoints.Map(envoy, prefix);
        return envoy;
    }
}
