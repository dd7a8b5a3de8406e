using System.Security.Claims;
using Envoy.AspNetCore.Endpoints.Jobs;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Json;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>
/// The <c>/recurring</c> routes (recurring jobs, cron): list, set (create or update), remove, trigger. Writes need the operator
/// role; an unknown id is <c>404</c> <c>recurring_not_found</c> before any role check; an invalid cron expression or time zone
/// is <c>400</c> <c>invalid_cron</c> / <c>invalid_time_zone</c>; an unknown flow <c>404</c> <c>flow_not_found</c>.
/// </summary>
internal static class RecurringEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var recurring = api.MapGroup("/recurring").WithTags("Recurring");
        recurring.MapGet(string.Empty, ListAsync).WithName("ListRecurring")
            .WithSummary("Every recurring schedule, by id, with its next occurrence and last run.");
        recurring.MapGet("/{id}", GetAsync).WithName("GetRecurring").WithSummary("One recurring schedule.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        recurring.MapPut("/{id}", SetAsync).WithName("SetRecurring")
            .WithSummary("Creates (201) or updates (200) a recurring schedule: { flow, cron, input?, timeZone?, priority?, enabled? }.")
            .Accepts<RecurringRequest>("application/json")
            .Produces<RecurringJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        recurring.MapDelete("/{id}", RemoveAsync).WithName("RemoveRecurring").WithSummary("Removes a recurring schedule (its jobs stay).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
        recurring.MapPost("/{id}/trigger", TriggerAsync).WithName("TriggerRecurring")
            .WithSummary("Runs a recurring schedule once now: 201 with the job, Location /jobs/{jobId}.")
            .Produces<JobJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<JsonHttpResult<List<RecurringJson>>> ListAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        var schedules = await scheduler.ListRecurringAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(schedules.Select(RecurringJson.From).ToList(), EnvoyApiJsonContext.Default.ListRecurringJson);
    }

    private static async Task<JsonHttpResult<RecurringJson>> GetAsync(string id, Scheduler scheduler, CancellationToken cancellationToken) =>
        TypedResults.Json(RecurringJson.From(await scheduler.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false)), EnvoyApiJsonContext.Default.RecurringJson);

    private static async Task<IResult> SetAsync(string id, HttpRequest request, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        user.DemandEnvoyRole(EnvoyRoles.Operator);
        var body = await RequestBody.ReadAsync(request, EnvoyApiJsonContext.Default.RecurringRequest, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body.Flow))
        {
            throw new InvalidRequestBodyException("flow", "Field 'flow' is required: the name of the flow each occurrence runs.");
        }

        if (string.IsNullOrWhiteSpace(body.Cron))
        {
            throw new InvalidRequestBodyException("cron", "Field 'cron' is required: a cron expression of 5 fields, or 6 with seconds first.");
        }

        if (id.Length > Scheduler.MaxRecurringIdLength || string.IsNullOrWhiteSpace(id))
        {
            throw new InvalidRequestBodyException("id", $"The recurring schedule id must be 1 to {Scheduler.MaxRecurringIdLength} characters.");
        }

        var existed = (await scheduler.ListRecurringAsync(cancellationToken).ConfigureAwait(false)).Any(s => string.Equals(s.Id, id, StringComparison.Ordinal));
        RecurringSchedule saved;
        try
        {
            var options = new RecurringOptions { TimeZone = body.TimeZone, Priority = body.Priority ?? 0, Enabled = body.Enabled ?? true };
            saved = await scheduler.AddRecurringAsync(id, body.Flow, body.Cron, body.Input, options, cancellationToken).ConfigureAwait(false);
        }
        catch (FlowNotFoundException e)
        {
            throw new EnvoyNotFoundException(EnvoyProblemCodes.FlowNotFound, e.Message);
        }

        var json = RecurringJson.From(saved);
        if (existed)
        {
            return TypedResults.Json(json, EnvoyApiJsonContext.Default.RecurringJson);
        }

        request.HttpContext.Response.Headers.Location = $"{request.PathBase}{request.Path}";
        return TypedResults.Json(json, EnvoyApiJsonContext.Default.RecurringJson, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<NoContent> RemoveAsync(string id, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await scheduler.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        user.DemandEnvoyRole(EnvoyRoles.Operator);
        await scheduler.RemoveRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> TriggerAsync(string id, HttpRequest request, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await scheduler.GetRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        user.DemandEnvoyRole(EnvoyRoles.Operator);
        var jobId = await scheduler.TriggerRecurringAsync(id, cancellationToken).ConfigureAwait(false);
        var job = await JobAnswers.ReadAsync(scheduler, jobId, cancellationToken).ConfigureAwait(false);
        var path = request.Path.Value ?? string.Empty;
        var api = path[..Math.Max(0, path.LastIndexOf("/recurring/", StringComparison.Ordinal))];
        request.HttpContext.Response.Headers.Location = $"{request.PathBase}{api}/jobs/{Uri.EscapeDataString(jobId)}";
        return TypedResults.Json(job, EnvoyApiJsonContext.Default.JobJson, statusCode: StatusCodes.Status201Created);
    }
}
