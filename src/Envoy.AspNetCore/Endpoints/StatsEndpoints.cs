using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/stats</c> routes: counts and overview figures.</summary>
internal static class StatsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var stats = api.MapGroup("/stats").WithTags("Stats");
        stats.MapGet(string.Empty, GetAsync).WithName("GetStats")
            .WithSummary("How many jobs are in each status (may lag a second or two), and when the longest-waiting due job became due.");
    }

    private static async Task<JsonHttpResult<StatsJson>> GetAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        var stats = await scheduler.GetJobStatsAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(StatsJson.From(stats), EnvoyApiJsonContext.Default.StatsJson);
    }
}
