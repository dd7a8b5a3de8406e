namespace Envoy.Cli;

/// <summary>The exit codes of <c>envoy</c>, as the spec lists them (checked by scripts and by tests).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The job ended failed or cancelled (<c>schedule --wait</c>, <c>watch</c>).</summary>
    public const int JobNotDone = 1;

    /// <summary>A usage error (bad arguments, bad JSON input), or the server answered <c>400</c> (or another refused request).</summary>
    public const int Usage = 2;

    /// <summary>The server answered <c>404</c>: no such job, flow, wait or escalation.</summary>
    public const int NotFound = 3;

    /// <summary>The server answered <c>409</c>: the job or escalation is not in a state that allows it.</summary>
    public const int Conflict = 4;

    /// <summary>The server refused the caller: <c>401</c> (no or wrong key) or <c>403</c> (a role that may not do it).</summary>
    public const int AuthRefused = 5;

    /// <summary>The server could not be reached (connection refused, name not resolved, timeout).</summary>
    public const int Unreachable = 6;

    /// <summary>The server failed: a <c>5xx</c> answer.</summary>
    public const int ServerError = 7;
}
