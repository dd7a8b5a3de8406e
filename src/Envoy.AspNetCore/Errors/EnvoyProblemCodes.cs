namespace Envoy.AspNetCore.Errors;

/// <summary>The <c>code</c> extension of Envoy's problem details: a stable, machine-readable reason.</summary>
public static class EnvoyProblemCodes
{
    /// <summary><c>400</c>: scheduling a flow no worker registered; <c>404</c>: reading a flow that is not registered.</summary>
    public const string FlowNotFound = "flow_not_found";

    /// <summary><c>404</c>: an unknown job id.</summary>
    public const string JobNotFound = "job_not_found";

    /// <summary><c>404</c>: an unknown wait of a job.</summary>
    public const string WaitNotFound = "wait_not_found";

    /// <summary><c>404</c>: an unknown escalation id.</summary>
    public const string EscalationNotFound = "escalation_not_found";

    /// <summary><c>409</c>: the wait was resolved already.</summary>
    public const string WaitAlreadyResolved = "wait_already_resolved";

    /// <summary><c>409</c>: the escalation was answered (or cancelled) already.</summary>
    public const string EscalationAlreadyAnswered = "escalation_already_answered";

    /// <summary><c>409</c>: the job is done, failed or cancelled.</summary>
    public const string JobTerminal = "job_terminal";

    /// <summary><c>409</c>: only a failed or cancelled job can be retried.</summary>
    public const string JobNotFailed = "job_not_failed";

    /// <summary><c>400</c>: malformed JSON, a wrong type, a missing or invalid field (the detail names it).</summary>
    public const string InvalidBody = "invalid_body";

    /// <summary><c>400</c>: a query string parameter is malformed or out of range (the detail names it).</summary>
    public const string InvalidQuery = "invalid_query";

    /// <summary><c>409</c>: a wait of a child or an escalation, which resolve only through the child's end or a reply.</summary>
    public const string WaitTypeMismatch = "wait_type_mismatch";

    /// <summary><c>409</c>: the idempotency key already names a job of another flow.</summary>
    public const string IdempotencyConflict = "idempotency_conflict";

    /// <summary><c>503</c>: the store did not answer within <see cref="EnvoyServerOptions.RequestTimeout"/> (it is down or overloaded).</summary>
    public const string StoreUnavailable = "store_unavailable";

    /// <summary>
    /// <c>422</c>: <c>GET /jobs?search=</c> was stopped after the store's search timeout (PostgreSQL, default 1 s): the term
    /// matches too few jobs to find a page quickly; narrow it with status, flow or a date range, or search for a whole job id.
    /// </summary>
    public const string SearchTimeout = "search_timeout";

    /// <summary><c>413</c>: the body is larger than <see cref="EnvoyServerOptions.MaxBodyBytes"/>.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary><c>401</c>: no caller, or an unknown key.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary><c>403</c>: the caller's role (or user) may not do this.</summary>
    public const string Forbidden = "forbidden";

    /// <summary><c>404</c>: an unknown recurring schedule id.</summary>
    public const string RecurringNotFound = "recurring_not_found";

    /// <summary><c>400</c>: a recurring schedule's cron expression is invalid (the detail names it and says why).</summary>
    public const string InvalidCron = "invalid_cron";

    /// <summary><c>400</c>: a recurring schedule's time zone is unknown (the detail names it).</summary>
    public const string InvalidTimeZone = "invalid_time_zone";
}
