using Envoy.AspNetCore.Endpoints.Jobs;
using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/jobs</c> routes: schedule, list, read, history, children, cancel, fail, retry, resolve a wait.</summary>
internal static class JobsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapPost(string.Empty, ScheduleJobEndpoint.HandleAsync)
            .WithName("ScheduleJob")
            .WithSummary("Schedules a job of a flow (operator); the same idempotency key again gives the first job.")
            .Accepts<ScheduleJobRequest>("application/json")
            .Produces<JobJson>(StatusCodes.Status201Created)
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        jobs.MapGet(string.Empty, JobReadEndpoints.ListAsync)
            .WithName("ListJobs")
            .WithSummary("Jobs by status, flow, parent, search and creation time, newest first, paged.")
            .Produces<JobListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        jobs.MapGet("/unserved", JobReadEndpoints.UnservedAsync)
            .WithName("ListUnservedJobs")
            .WithSummary("Pending jobs whose flow, or flow version, no live worker on the store has (jobs nobody runs), newest first.")
            .Produces<JobListJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        jobs.MapGet("/{id}", JobReadEndpoints.GetAsync)
            .WithName("GetJob")
            .WithSummary("One job.")
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        jobs.MapGet("/{id}/history", JobReadEndpoints.HistoryAsync)
            .WithName("GetJobHistory")
            .WithSummary("A job's history in order: claims, steps, wait resolutions, status changes.")
            .Produces<List<JobEventJson>>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        jobs.MapGet("/{id}/children", JobReadEndpoints.ChildrenAsync)
            .WithName("GetJobChildren")
            .WithSummary("The children of a job, oldest first.")
            .Produces<List<JobJson>>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        jobs.MapPost("/{id}/cancel", JobActionEndpoints.CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancels a job and its descendants (operator).")
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        jobs.MapPost("/{id}/fail", JobActionEndpoints.FailAsync)
            .WithName("FailJob")
            .WithSummary("Fails a job by hand with a reason (operator); its descendants are cancelled.")
            .Accepts<FailJobRequest>("application/json")
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        jobs.MapPost("/{id}/retry", JobActionEndpoints.RetryAsync)
            .WithName("RetryJob")
            .WithSummary("Runs a failed or cancelled job again from its last committed context (operator).")
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        jobs.MapPost("/{id}/waits/{waitId}/resolve", JobActionEndpoints.ResolveWaitAsync)
            .WithName("ResolveJobWait")
            .WithSummary("Resolves an external wait of a blocking job with a value (operator).")
            .Accepts<ResolveWaitRequest>("application/json")
            .Produces<JobJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }
}
