namespace Envoy.Cli;

/// <summary>The job statuses of the API's JSON (lower-camel strings).</summary>
internal static class JobStatuses
{
    /// <summary>Waiting to run.</summary>
    public const string Pending = "pending";

    /// <summary>Claimed by a worker.</summary>
    public const string Running = "running";

    /// <summary>Waiting for an external event or a reply.</summary>
    public const string Blocking = "blocking";

    /// <summary>Finished successfully.</summary>
    public const string Done = "done";

    /// <summary>Failed.</summary>
    public const string Failed = "failed";

    /// <summary>Cancelled.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Whether a job with <paramref name="status"/> has ended.</summary>
    public static bool IsTerminal(string? status) => status is Done or Failed or Cancelled;
}
