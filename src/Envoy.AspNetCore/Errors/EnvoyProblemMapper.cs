using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Errors;

/// <summary>The one mapping from Envoy's typed errors to an HTTP status and problem <c>code</c>; the detail is the error's message.</summary>
public static class EnvoyProblemMapper
{
    /// <summary>The problem for <paramref name="exception"/>, or null when it is not a refusal the API explains (a server error).</summary>
    public static EnvoyProblem? ToProblem(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            FlowNotFoundException e => new(StatusCodes.Status400BadRequest, EnvoyProblemCodes.FlowNotFound, e.Message),
            JobNotFoundException e => new(StatusCodes.Status404NotFound, EnvoyProblemCodes.JobNotFound, e.Message),
            WaitNotFoundException e => new(StatusCodes.Status404NotFound, EnvoyProblemCodes.WaitNotFound, e.Message),
            EscalationNotFoundException e => new(StatusCodes.Status404NotFound, EnvoyProblemCodes.EscalationNotFound, e.Message),
            JobAlreadyTerminalException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.JobTerminal, e.Message),
            WaitAlreadyResolvedException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.WaitAlreadyResolved, e.Message),
            EscalationAlreadyAnsweredException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.EscalationAlreadyAnswered, e.Message),
            JobNotRetryableException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.JobNotFailed, e.Message),
            WaitTypeMismatchException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.WaitTypeMismatch, e.Message),
            IdempotencyConflictException e => new(StatusCodes.Status409Conflict, EnvoyProblemCodes.IdempotencyConflict, e.Message),
            RecurringNotFoundException e => new(StatusCodes.Status404NotFound, EnvoyProblemCodes.RecurringNotFound, e.Message),
            InvalidCronExpressionException e => new(StatusCodes.Status400BadRequest, EnvoyProblemCodes.InvalidCron, e.Message),
            UnknownTimeZoneException e => new(StatusCodes.Status400BadRequest, EnvoyProblemCodes.InvalidTimeZone, e.Message),
            EnvoyNotFoundException e => new(StatusCodes.Status404NotFound, e.Code, e.Message),
            EnvoyForbiddenException e => EnvoyProblem.Forbidden(e.Message),
            InvalidRequestBodyException e => EnvoyProblem.InvalidBody(e.Message),
            InvalidQueryException e => EnvoyProblem.InvalidQuery(e.Message),
            InvalidEscalationReplyException e => EnvoyProblem.InvalidBody(e.Message),
            ContextValueException e => EnvoyProblem.InvalidBody(e.Message),
            SearchTimeoutException e => new(StatusCodes.Status422UnprocessableEntity, EnvoyProblemCodes.SearchTimeout, e.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => null,
            _ => null,
        };
    }
}
