using System.Security.Claims;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Json;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// <c>POST /jobs</c>: schedules a job (operator). <c>201</c> with the job as stored and its <c>Location</c> when created; <c>200</c>
/// with the first job when its idempotency key already named one of the same flow.
/// </summary>
internal static class ScheduleJobEndpoint
{
    /// <summary>The longest delay accepted: 100 years, in seconds (a run-at beyond is surely a mistake, and stays representable).</summary>
    internal const double MaxDelaySeconds = 100 * 365.25 * 24 * 3600;

    /// <summary>The longest idempotency key (the scheduler's limit).</summary>
    internal const int MaxIdempotencyKeyLength = 512;

    public static async Task<IResult> HandleAsync(HttpRequest request, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        user.DemandEnvoyRole(EnvoyRoles.Operator);
        var body = await RequestBody.ReadAsync(request, EnvoyApiJsonContext.Default.ScheduleJobRequest, cancellationToken).ConfigureAwait(false);
        var (flow, options) = Validate(body);
        ScheduledJob scheduled;
        try
        {
            scheduled = await scheduler.ScheduleJobAsync(flow, body.Input, options, cancellationToken).ConfigureAwait(false);
        }
        catch (JobNotFoundException e) when (options.ParentId is { } parent && string.Equals(e.JobId, parent, StringComparison.Ordinal))
        {
            throw new InvalidRequestBodyException("parentId", $"Field 'parentId': no job has the id '{parent}'.");
        }

        if (!scheduled.Created || scheduled.Job is null)
        {
            return TypedResults.Json(await JobAnswers.ReadAsync(scheduler, scheduled.Id, cancellationToken).ConfigureAwait(false), EnvoyApiJsonContext.Default.JobJson);
        }

        // The job as the scheduler just stored it: no second read on this hot path.
        var created = JobJson.From(scheduled.Job);
        request.HttpContext.Response.Headers.Location = LocationOf(request, scheduled.Id);
        return TypedResults.Json(created, EnvoyApiJsonContext.Default.JobJson, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The path of the new job: this route's own path (with the app's path base and Envoy's prefix) and the id.</summary>
    internal static string LocationOf(HttpRequest request, string id) =>
        $"{request.PathBase}{(request.Path.Value ?? string.Empty).TrimEnd('/')}/{Uri.EscapeDataString(id)}";

    private static (string Flow, ScheduleOptions Options) Validate(ScheduleJobRequest body)
    {
        if (string.IsNullOrWhiteSpace(body.Flow))
        {
            throw new InvalidRequestBodyException("flow", "Field 'flow' is required: the name of the flow to run.");
        }

        if (body.Delay is not null && body.RunAt is not null)
        {
            throw new InvalidRequestBodyException("delay", "Fields 'delay' and 'runAt' cannot be given together: give one.");
        }

        if (body.Delay is { } delay && (!double.IsFinite(delay) || delay < 0 || delay > MaxDelaySeconds))
        {
            throw new InvalidRequestBodyException("delay", $"Field 'delay' must be a number of seconds from 0 to {MaxDelaySeconds:0} (was {delay}).");
        }

        if (body.IdempotencyKey is { } key && (key.Length is 0 or > MaxIdempotencyKeyLength || key.Contains('\0', StringComparison.Ordinal)))
        {
            throw new InvalidRequestBodyException("idempotencyKey", $"Field 'idempotencyKey' must be 1 to {MaxIdempotencyKeyLength} characters, without U+0000.");
        }

        if (body.ParentId is { } parentId && (parentId.Length == 0 || parentId.Contains('\0', StringComparison.Ordinal)))
        {
            throw new InvalidRequestBodyException("parentId", "Field 'parentId' must be a job id.");
        }

        return (body.Flow, new ScheduleOptions
        {
            Delay = body.Delay is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            RunAt = body.RunAt,
            Priority = body.Priority ?? 0,
            IdempotencyKey = body.IdempotencyKey,
            ParentId = body.ParentId,
        });
    }
}
