using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>The reading jobs routes (any caller): the list, one job, its history, its children.</summary>
internal static class JobReadEndpoints
{
    /// <summary><c>GET /jobs</c>: <c>{ items }</c>, newest first; a bad parameter is <c>400</c> <c>invalid_query</c>.</summary>
    public static async Task<JsonHttpResult<JobListJson>> ListAsync(
        Scheduler scheduler,
        [FromQuery] string? status,
        [FromQuery] string? flow,
        [FromQuery] string? parentId,
        [FromQuery] string? search,
        [FromQuery] string? createdAfter,
        [FromQuery] string? createdBefore,
        [FromQuery] string? limit,
        [FromQuery] string? offset,
        CancellationToken cancellationToken)
    {
        var query = JobListQuery.Parse(status, flow, parentId, search, createdAfter, createdBefore, limit, offset);
        var jobs = await scheduler.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        var items = JobAnswers.Of(jobs);
        return TypedResults.Json(new JobListJson(items), EnvoyApiJsonContext.Default.JobListJson);
    }

    /// <summary>
    /// <c>GET /jobs/unserved?limit=</c>: <c>{ items }</c>, the pending jobs whose flow, or flow version (<c>flowVersion</c>), no
    /// live worker on the store has (<see cref="Scheduler.ListUnservedJobsAsync"/>), newest first; a bad limit is
    /// <c>400</c> <c>invalid_query</c>.
    /// </summary>
    public static async Task<JsonHttpResult<JobListJson>> UnservedAsync(Scheduler scheduler, [FromQuery] string? limit, CancellationToken cancellationToken)
    {
        var query = JobListQuery.Parse(null, null, null, null, null, null, limit, null);
        var jobs = await scheduler.ListUnservedJobsAsync(query.Limit, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new JobListJson(JobAnswers.Of(jobs)), EnvoyApiJsonContext.Default.JobListJson);
    }

    /// <summary><c>GET /jobs/{id}</c>: the job; <c>404</c> <c>job_not_found</c>.</summary>
    public static async Task<JsonHttpResult<JobJson>> GetAsync(string id, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var job = await JobAnswers.ReadAsync(scheduler, id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(job, EnvoyApiJsonContext.Default.JobJson);
    }

    /// <summary><c>GET /jobs/{id}/history</c>: every entry in order; <c>404</c> <c>job_not_found</c>.</summary>
    public static async Task<JsonHttpResult<List<JobEventJson>>> HistoryAsync(string id, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var history = await scheduler.GetJobHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(history.Select(JobEventJson.From).ToList(), EnvoyApiJsonContext.Default.ListJobEventJson);
    }

    /// <summary><c>GET /jobs/{id}/children</c>: the jobs it spawned (or scheduled with it as parent), oldest first; <c>404</c>.</summary>
    public static async Task<JsonHttpResult<List<JobJson>>> ChildrenAsync(string id, Scheduler scheduler, CancellationToken cancellationToken)
    {
        _ = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        var children = await scheduler.ListJobsAsync(new JobQuery { ParentId = id, Limit = MaxChildren }, cancellationToken).ConfigureAwait(false);
        var answers = JobAnswers.Of(children.Reverse().ToList());
        return TypedResults.Json(answers, EnvoyApiJsonContext.Default.ListJobJson);
    }

    /// <summary>The most children <c>GET /jobs/{id}/children</c> lists (the store's largest page).</summary>
    private const int MaxChildren = 10_000;
}
