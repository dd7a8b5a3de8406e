using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/workers</c> route: the live workers on the store and the flow versions they serve.</summary>
internal static class WorkersEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var workers = api.MapGroup("/workers").WithTags("Workers");
        workers.MapGet(string.Empty, ListAsync).WithName("ListWorkers")
            .WithSummary("The live workers on the store (every started scheduler, in any process), by start time, with the flow versions each serves.");
    }

    private static async Task<JsonHttpResult<List<WorkerJson>>> ListAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        var workers = await scheduler.ListWorkersAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(workers.Select(WorkerJson.From).ToList(), EnvoyApiJsonContext.Default.ListWorkerJson);
    }
}
