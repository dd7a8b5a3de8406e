using System.Net;

namespace Envoy.Cli.Api;

/// <summary>The API answered with an error: its status and its problem details (<c>detail</c> is the message).</summary>
internal sealed class ApiException : CliException
{
    /// <summary>Creates the error from the answer's status, its problem <paramref name="detail"/> and <paramref name="code"/>.</summary>
    public ApiException(HttpStatusCode status, string detail, string? code)
        : base(ExitCodeMapper.FromStatus(status), detail)
    {
        Status = status;
        Code = code;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem's <c>code</c> extension (<c>job_not_found</c>, ...), when it had one.</summary>
    public string? Code { get; }
}
