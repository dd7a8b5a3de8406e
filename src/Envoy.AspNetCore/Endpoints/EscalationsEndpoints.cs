using System.Security.Claims;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Json;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/escalations</c> routes: list, read, reply.</summary>
internal static class EscalationsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var escalations = api.MapGroup("/escalations").WithTags("Escalations");
        escalations.MapGet(string.Empty, ListAsync).WithName("ListEscalations")
            .WithSummary("Escalations, newest first, optionally by status (pending, approved, rejected, cancelled, expired) and user.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        escalations.MapGet("/{id}", GetAsync).WithName("GetEscalation").WithSummary("One escalation.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        escalations.MapPost("/{id}/reply", ReplyAsync).WithName("ReplyToEscalation")
            .WithSummary("Answers an escalation (its user, or an admin): { decision: approved|rejected, values: { inputId: value } }.")
            .Accepts<EscalationReplyRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    private static async Task<JsonHttpResult<List<EscalationJson>>> ListAsync(string? status, string? user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        EscalationStatus? wanted = null;
        if (status is not null)
        {
            wanted = JsonNames.TryParse<EscalationStatus>(status, out var parsed)
                ? parsed
                : throw new InvalidQueryException(
                    "status",
                    $"Query parameter 'status' is '{status}', not one of {string.Join(", ", Enum.GetValues<EscalationStatus>().Select(s => JsonNames.Of(s)))}.");
        }

        var escalations = await scheduler.ListEscalationsAsync(wanted, string.IsNullOrEmpty(user) ? null : user, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(escalations.Select(EscalationJson.From).ToList(), EnvoyApiJsonContext.Default.ListEscalationJson);
    }

    private static async Task<JsonHttpResult<EscalationJson>> GetAsync(string id, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var escalation = await scheduler.GetEscalationAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(EscalationJson.From(escalation), EnvoyApiJsonContext.Default.EscalationJson);
    }

    /// <summary>404 for an unknown id first, then 403 (not its user, not an admin), then the body (400), then the state (409).</summary>
    private static async Task<JsonHttpResult<EscalationJson>> ReplyAsync(string id, HttpRequest request, ClaimsPrincipal caller, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var escalation = await scheduler.GetEscalationAsync(id, cancellationToken).ConfigureAwait(false);
        DemandMayAnswer(caller, escalation);
        var body = await RequestBody.ReadAsync(request, EnvoyApiJsonContext.Default.EscalationReplyRequest, cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in body.Values ?? [])
        {
            values[key] = value;
        }

        var answered = await AnswerAsync(scheduler, caller, escalation, Decision(body.Decision), values, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(EscalationJson.From(answered), EnvoyApiJsonContext.Default.EscalationJson);
    }

    /// <summary>
    /// Answers <paramref name="escalation"/> (already checked with <see cref="DemandMayAnswer"/>) as <paramref name="caller"/>'s
    /// user, and reads it back; the API's reply route and the dashboard's inbox form both answer through here.
    /// </summary>
    /// <exception cref="EscalationAlreadyAnsweredException">It is no longer pending.</exception>
    internal static async Task<Escalation> AnswerAsync(
        Scheduler scheduler,
        ClaimsPrincipal caller,
        Escalation escalation,
        EscalationDecision decision,
        IReadOnlyDictionary<string, object?> values,
        CancellationToken cancellationToken)
    {
        if (escalation.Status is not EscalationStatus.Pending)
        {
            // Answered, or closed without an answer (its job ended, or it expired): either way it takes no reply.
            throw new EscalationAlreadyAnsweredException(escalation.Id, escalation.Status);
        }

        await scheduler.ReplyToEscalationAsync(escalation.Id, values, decision, caller.EnvoyUser(), cancellationToken).ConfigureAwait(false);
        return await scheduler.GetEscalationAsync(escalation.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="caller"/> may answer <paramref name="escalation"/> (the rule of <see cref="DemandMayAnswer"/>).</summary>
    internal static bool MayAnswer(ClaimsPrincipal caller, Escalation escalation) =>
        caller.HasEnvoyRole(EnvoyRoles.Admin)
        || (caller.HasEnvoyRole(EnvoyRoles.Operator) && string.Equals(caller.EnvoyUser(), escalation.User, StringComparison.Ordinal));

    /// <summary>An admin may answer any escalation; an operator only those addressed to its own user; a viewer none.</summary>
    /// <exception cref="EnvoyForbiddenException">The caller may not answer it.</exception>
    internal static void DemandMayAnswer(ClaimsPrincipal caller, Escalation escalation)
    {
        if (caller.HasEnvoyRole(EnvoyRoles.Admin))
        {
            return;
        }

        caller.DemandEnvoyRole(EnvoyRoles.Operator);
        if (!string.Equals(caller.EnvoyUser(), escalation.User, StringComparison.Ordinal))
        {
            throw new EnvoyForbiddenException(
                $"Escalation '{escalation.Id}' is addressed to user '{escalation.User}': user '{caller.EnvoyUser()}' may not answer it (only that user or an admin may).");
        }
    }

    /// <summary>The decision named <c>approved</c> or <c>rejected</c>.</summary>
    /// <exception cref="InvalidRequestBodyException">Another name, or none.</exception>
    internal static EscalationDecision Decision(string? decision) => decision switch
    {
        null => throw new InvalidRequestBodyException("decision", "Field 'decision' is required: \"approved\" or \"rejected\"."),
        "approved" => EscalationDecision.Approved,
        "rejected" => EscalationDecision.Rejected,
        _ => throw new InvalidRequestBodyException("decision", $"Field 'decision' is '{decision}', not \"approved\" or \"rejected\"."),
    };
}
