using System.Security.Claims;
using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// The routes that act on one job: cancel, fail, retry, resolve a wait. Each looks the job up first (an unknown id is <c>404</c>
/// <c>job_not_found</c> for any caller), then demands the operator role, then acts, and answers the job as stored after it.
/// </summary>
internal static class JobActionEndpoints
{
    /// <summary><c>POST /jobs/{id}/cancel</c>: cancels it and its descendants; <c>409</c> <c>job_terminal</c>.</summary>
    public static async Task<JsonHttpResult<JobJson>> CancelAsync(string id, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await FindAsOperatorAsync(id, user, scheduler, cancellationToken).ConfigureAwait(false);
        await scheduler.CancelJobAsync(id, cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(id, scheduler, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /jobs/{id}/fail</c> <c>{ reason }</c>: fails it by hand; <c>409</c> <c>job_terminal</c>.</summary>
    public static async Task<JsonHttpResult<JobJson>> FailAsync(string id, HttpRequest request, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await FindAsOperatorAsync(id, user, scheduler, cancellationToken).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync(request, EnvoyApiJsonContext.Default.FailJobRequest, cancellationToken).ConfigureAwait(false);
        await JobActions.FailAsync(id, body.Reason, scheduler, cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(id, scheduler, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /jobs/{id}/retry</c>: runs a failed or cancelled job again; <c>409</c> <c>job_not_failed</c>.</summary>
    public static async Task<JsonHttpResult<JobJson>> RetryAsync(string id, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await FindAsOperatorAsync(id, user, scheduler, cancellationToken).ConfigureAwait(false);
        await scheduler.RetryJobAsync(id, cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(id, scheduler, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /jobs/{id}/waits/{waitId}/resolve</c> <c>{ value }</c>: resolves an external wait; <c>404</c> <c>wait_not_found</c>,
    /// <c>409</c> <c>job_terminal</c> (first), <c>wait_already_resolved</c>, <c>wait_type_mismatch</c>.
    /// </summary>
    public static async Task<JsonHttpResult<JobJson>> ResolveWaitAsync(string id, string waitId, HttpRequest request, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        await JobActions.DemandResolverAsync(id, waitId, user, scheduler, cancellationToken).ConfigureAwait(false);
        var body = await RequestBody.ReadAsync(request, EnvoyApiJsonContext.Default.ResolveWaitRequest, cancellationToken).ConfigureAwait(false);
        await JobActions.ResolveWaitAsync(id, waitId, body.HasValue, body.Value, scheduler, cancellationToken).ConfigureAwait(false);
        return await AnswerAsync(id, scheduler, cancellationToken).ConfigureAwait(false);
    }

    private static Task FindAsOperatorAsync(string id, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken) =>
        JobActions.FindAsOperatorAsync(id, user, scheduler, cancellationToken);

    private static async Task<JsonHttpResult<JobJson>> AnswerAsync(string id, Scheduler scheduler, CancellationToken cancellationToken) =>
        TypedResults.Json(await JobAnswers.ReadAsync(scheduler, id, cancellationToken).ConfigureAwait(false), EnvoyApiJsonContext.Default.JobJson);
}
