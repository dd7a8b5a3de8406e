using System.Security.Claims;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Security;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// The rules of the actions on one job (cancel, fail, retry, resolve a wait), shared by the API routes
/// (<see cref="JobActionEndpoints"/>) and the dashboard's job page: who may act, what a request must carry, and the runtime call.
/// </summary>
internal static class JobActions
{
    /// <summary>Looks the job up (an unknown id is <see cref="JobNotFoundException"/> for any caller), then demands the operator role.</summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="EnvoyForbiddenException">The caller is not an operator.</exception>
    public static async Task FindAsOperatorAsync(string id, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        _ = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        user.DemandEnvoyRole(EnvoyRoles.Operator);
    }

    /// <summary>Fails the job with <paramref name="reason"/> (required: it becomes the job's error).</summary>
    /// <exception cref="InvalidRequestBodyException">No reason.</exception>
    public static Task FailAsync(string id, string? reason, Scheduler scheduler, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new InvalidRequestBodyException("reason", "Field 'reason' is required: why the job is failed (it becomes the job's error).");
        }

        return scheduler.FailJobAsync(id, reason, cancellationToken);
    }

    /// <summary>
    /// Demands what resolving wait <paramref name="waitId"/> needs: the job exists, and the caller is an operator. A caller who may
    /// not resolve learns that an unknown wait of a live job does not exist (<see cref="WaitNotFoundException"/>) rather than that
    /// they may not touch it; an operator's request goes to the store, which decides every case.
    /// </summary>
    public static async Task DemandResolverAsync(string id, string waitId, ClaimsPrincipal user, Scheduler scheduler, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobAsync(id, cancellationToken).ConfigureAwait(false);
        if (!user.HasEnvoyRole(EnvoyRoles.Operator) && !job.Status.IsTerminal() && !job.Context.Waits.Any(w => string.Equals(w.Id, waitId, StringComparison.Ordinal)))
        {
            throw new WaitNotFoundException(id, waitId);
        }

        user.DemandEnvoyRole(EnvoyRoles.Operator);
    }

    /// <summary>Resolves the wait with <paramref name="value"/> (required, <c>null</c> is a value: <paramref name="hasValue"/> says whether one was given).</summary>
    /// <exception cref="InvalidRequestBodyException">No value, or a value that cannot be stored.</exception>
    public static async Task ResolveWaitAsync(string id, string waitId, bool hasValue, JsonNode? value, Scheduler scheduler, CancellationToken cancellationToken)
    {
        if (!hasValue)
        {
            throw new InvalidRequestBodyException("value", "Field 'value' is required: the JSON value the wait resolves with (null is a value).");
        }

        try
        {
            await scheduler.ResolveBlockingJobAsync(id, waitId, value, cancellationToken).ConfigureAwait(false);
        }
        catch (ContextValueException e)
        {
            throw new InvalidRequestBodyException("value", $"Field 'value' cannot be stored: {e.Message}");
        }
    }
}
