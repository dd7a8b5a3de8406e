namespace Envoy.AspNetCore.Errors;

/// <summary>The <c>code</c> extension of Envoy's problem details: a stable, machine-readable reason.</summary>
public static class EnvoyProblemCodes
{
    /// <summary><c>400</c>: scheduling a flow no worker registered.</summary>
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

    /// <summary><c>413</c>: the body is larger than <see cref="EnvoyServerOptions.MaxBodyBytes"/>.</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary><c>401</c>: no caller, or an unknown key.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary><c>403</c>: the caller's role (or user) may not do this.</summary>
    public const string Forbidden = "forbidden";
}
