using System.Text.Json.Nodes;

using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;

namespace Envoy;

public partial class Scheduler
{
    /// <summary>
    /// Resolves one external wait of a blocking job with a success value; when no wait is left, the job goes back to pending.
    /// A child's wait resolves only when the child ends and an escalation's only with a reply: both are refused here.
    /// On any error nothing changes.
    /// </summary>
    /// <exception cref="JobNotFoundException">No job has this id.</exception>
    /// <exception cref="JobAlreadyTerminalException">The job is terminal.</exception>
    /// <exception cref="WaitNotFoundException">The job has no such wait.</exception>
    /// <exception cref="WaitAlreadyResolvedException">The wait was already resolved.</exception>
    /// <exception cref="WaitTypeMismatchException">The wait is a child's or an escalation's.</exception>
    /// <exception cref="ContextTooLargeException">The result is larger than <see cref="SchedulerOptions.MaxContextBytes"/>; nothing changes.</exception>
    /// <exception cref="ContextValueException">The result cannot be written as JSON, or holds a string with U+0000; nothing changes.</exception>
    public async Task ResolveBlockingJobAsync(string jobId, string waitId, object? result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(waitId);
        var output = JsonValues.ToNode(result, "result")?.ToJsonString();
        ContextLimits.ThrowIfRefused(output, "result", _services.Config.MaxContextBytes);
        var outcome = await _services.Writes.ResolveWaitAsync(new WaitResolution(jobId, waitId, WaitResolutionKind.Success, output, null, _services.NowMs), cancellationToken).ConfigureAwait(false);
        if (outcome.Outcome == StoreOutcome.WaitTypeMismatch)
        {
            throw new WaitTypeMismatchException(jobId, waitId, outcome.WaitType ?? string.Empty);
        }

        ThrowIfFailed(outcome, jobId, waitId, null);
    }

    /// <summary>
    /// Answers an escalation: <see cref="EscalationDecision.Approved"/> resolves its wait with success and the values,
    /// <see cref="EscalationDecision.Rejected"/> with an error carrying them. A second reply is refused. The values are checked
    /// against the declared inputs (see <see cref="InvalidEscalationReplyException"/>). On any error nothing changes.
    /// </summary>
    /// <exception cref="EscalationNotFoundException">No escalation has this id.</exception>
    /// <exception cref="EscalationAlreadyAnsweredException">It was already answered.</exception>
    /// <exception cref="JobAlreadyTerminalException">Its job ended (the escalation is then <see cref="EscalationStatus.Cancelled"/>).</exception>
    /// <exception cref="InvalidEscalationReplyException">A value names no input, or does not fit its input.</exception>
    public Task ReplyToEscalationAsync(string escalationId, IReadOnlyDictionary<string, object?> values, EscalationDecision decision, CancellationToken cancellationToken = default) =>
        ReplyToEscalationAsync(escalationId, values, decision, null, cancellationToken);

    /// <summary>Answers an escalation and records who replied (see the overload without <paramref name="repliedBy"/>).</summary>
    /// <exception cref="EscalationNotFoundException">No escalation has this id.</exception>
    /// <exception cref="EscalationAlreadyAnsweredException">It was already answered.</exception>
    /// <exception cref="JobAlreadyTerminalException">Its job ended (the escalation is then <see cref="EscalationStatus.Cancelled"/>).</exception>
    /// <exception cref="InvalidEscalationReplyException">A value names no input, or does not fit its input.</exception>
    public async Task ReplyToEscalationAsync(string escalationId, IReadOnlyDictionary<string, object?> values, EscalationDecision decision, string? repliedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(escalationId);
        ArgumentNullException.ThrowIfNull(values);
        var response = new JsonObject();
        foreach (var (key, value) in values)
        {
            response[key] = JsonValues.ToNode(value, key);
        }

        // The inputs of an escalation never change: checked here once for every store. An escalation no longer pending goes on
        // to the store, which says why (answered, or its job ended).
        var escalation = await _services.Queries.GetEscalationAsync(escalationId, cancellationToken).ConfigureAwait(false) ?? throw new EscalationNotFoundException(escalationId);
        if (escalation.Status == EscalationStatus.Pending)
        {
            EscalationReplyValidator.Validate(escalation, response);
        }

        var status = decision == EscalationDecision.Approved ? EscalationStatus.Approved : EscalationStatus.Rejected;
        var responseJson = response.ToJsonString();
        ContextLimits.ThrowIfRefused(responseJson, "reply", _services.Config.MaxContextBytes);
        var outcome = await _services.Writes.ReplyToEscalationAsync(new EscalationReply(escalationId, status, responseJson, ContextLimits.Storable(repliedBy), _services.NowMs), cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(outcome, outcome.JobId ?? string.Empty, escalationId, escalationId);
    }

    /// <summary>One escalation.</summary>
    /// <exception cref="EscalationNotFoundException">No escalation has this id.</exception>
    public async Task<Escalation> GetEscalationAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return await _services.Queries.GetEscalationAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new EscalationNotFoundException(id);
    }

    /// <summary>Escalations, newest first, optionally only with a status or for a user.</summary>
    public Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status = null, string? user = null, CancellationToken cancellationToken = default) =>
        _services.Queries.ListEscalationsAsync(status, user, cancellationToken);

    private static void ThrowIfFailed(StoreResult result, string jobId, string waitId, string? escalationId)
    {
        switch (result.Outcome)
        {
            case StoreOutcome.Ok:
                return;
            case StoreOutcome.JobNotFound:
                throw new JobNotFoundException(jobId);
            case StoreOutcome.JobTerminal:
                throw new JobAlreadyTerminalException(jobId, result.Status ?? JobStatus.Done);
            case StoreOutcome.WaitNotFound:
                throw new WaitNotFoundException(jobId, waitId);
            case StoreOutcome.WaitAlreadyResolved:
                throw new WaitAlreadyResolvedException(jobId, waitId);
            case StoreOutcome.EscalationNotFound:
                throw new EscalationNotFoundException(escalationId ?? waitId);
            case StoreOutcome.EscalationAlreadyAnswered:
                throw new EscalationAlreadyAnsweredException(escalationId ?? waitId, result.EscalationStatus ?? EscalationStatus.Approved);
            default:
                throw new InvalidOperationException($"Unexpected store outcome {result.Outcome}.");
        }
    }
}
