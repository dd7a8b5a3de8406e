using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Net.Http.Headers;

namespace Envoy.AspNetCore.Health;

/// <summary>
/// <c>GET {prefix}/healthz</c>, anonymous: <c>200 { status: "healthy", checks: { store: "healthy", redis?: ... } }</c>, or
/// <c>503</c> with <c>status: "unhealthy"</c> when a check failed or did not answer in time. Errors stay in the server's
/// logs and health publishers: an anonymous caller learns only which part is down.
/// </summary>
internal static class HealthEndpoint
{
    public static void Map(RouteGroupBuilder envoy)
    {
        envoy.MapGet("/healthz", CheckAsync).AllowAnonymous().WithTags("Health").WithName("Health")
            .WithSummary("Whether the store (and Redis, when configured) answer: 200 healthy, 503 unhealthy. No caller needed.")
            .Produces<HealthJson>(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<JsonHttpResult<HealthJson>> CheckAsync(HealthCheckService health, HttpResponse response, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(EnvoyHealthChecks.Tag), cancellationToken).ConfigureAwait(false);
        var healthy = report.Status != HealthStatus.Unhealthy;
        var checks = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToDictionary(e => EnvoyHealthChecks.ReportedName(e.Key), e => Name(e.Value.Status), StringComparer.Ordinal);
        response.Headers[HeaderNames.CacheControl] = "no-store";
        return TypedResults.Json(
            new HealthJson(healthy ? "healthy" : "unhealthy", checks),
            EnvoyApiJsonContext.Default.HealthJson,
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string Name(HealthStatus status) => status == HealthStatus.Unhealthy ? "unhealthy" : "healthy";
}
