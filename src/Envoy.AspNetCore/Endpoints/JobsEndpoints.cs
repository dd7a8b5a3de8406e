using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/jobs</c> routes: schedule, list, read, history, children, cancel, fail, retry, resolve a wait.</summary>
internal static class JobsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/{id}", GetAsync).WithName("GetJob").WithSummary("One job.");
    }

    private static async Task<JsonHttpResult<JobJson>> GetAsync(string id, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(JobJson.From(job), EnvoyApiJsonContext.Default.JobJson);
    }
}
