using System.Net;

namespace Envoy.Cli;

/// <summary>Maps an HTTP status code of the API to an <see cref="ExitCodes">exit code</see>.</summary>
internal static class ExitCodeMapper
{
    /// <summary>The exit code for an answer with <paramref name="status"/> (a non-success status).</summary>
    public static int FromStatus(HttpStatusCode status) => (int)status switch
    {
        401 or 403 => ExitCodes.AuthRefused,
        404 => ExitCodes.NotFound,
        409 => ExitCodes.Conflict,
        >= 500 => ExitCodes.ServerError,
        _ => ExitCodes.Usage,
    };

    /// <summary>The exit code for a job that ended with <paramref name="status"/> (<c>done</c>: 0, else 1).</summary>
    public static int FromJobStatus(string status) =>
        string.Equals(status, JobStatuses.Done, StringComparison.Ordinal) ? ExitCodes.Ok : ExitCodes.JobNotDone;
}
