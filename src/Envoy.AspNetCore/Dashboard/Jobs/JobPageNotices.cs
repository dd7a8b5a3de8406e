using Envoy.AspNetCore.Errors;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// The short notices the job page shows after an action (Post-Redirect-Get): the address carries only a code, the text is
/// fixed here, so that nobody can make the page say something else through a link.
/// </summary>
public static class JobPageNotices
{
    private static readonly Dictionary<string, (string Text, bool IsError)> Texts = new(StringComparer.Ordinal)
    {
        ["cancelled"] = ("The job was cancelled.", false),
        ["failed"] = ("The job was failed.", false),
        ["retried"] = ("The job will run again.", false),
        ["resolved"] = ("The wait was resolved.", false),
        [EnvoyProblemCodes.JobTerminal] = ("Refused: the job has already ended.", true),
        [EnvoyProblemCodes.JobNotFailed] = ("Refused: only a failed or cancelled job can be retried.", true),
        [EnvoyProblemCodes.WaitNotFound] = ("Refused: the job has no such wait.", true),
        [EnvoyProblemCodes.WaitAlreadyResolved] = ("Refused: the wait was already resolved.", true),
        [EnvoyProblemCodes.WaitTypeMismatch] = ("Refused: this wait resolves by itself (a child job's end or an escalation's reply), not by hand.", true),
        ["reason_required"] = ("Refused: give a reason to fail the job.", true),
        ["invalid_json"] = ("Refused: the value is not valid JSON.", true),
        ["value_refused"] = ("Refused: the value cannot be stored (too large, or a string with U+0000).", true),
    };

    /// <summary>The text of notice <paramref name="code"/> and whether it reports an error; null for an unknown code.</summary>
    public static (string Text, bool IsError)? Of(string? code) =>
        code is not null && Texts.TryGetValue(code, out var notice) ? notice : null;
}
