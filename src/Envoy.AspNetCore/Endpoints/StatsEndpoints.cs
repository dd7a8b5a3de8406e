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
        stats.MapGet(string.Empty, GetAsync).WithName("GetStats").WithSummary("How many jobs are in each status.");
    }

    private static async Task<JsonHttpResult<StatsJson>> GetAsync(JobScheduler scheduler, CancellationToken cancellationToken)
    {
        var counts = JobCountsJson.From(await scheduler.GetJobCountsAsync(cancellationToken).ConfigureAwait(false));
        return TypedResults.Json(new StatsJson(counts, counts.Sum()), EnvoyApiJsonContext.Default.StatsJson);
    }
}
