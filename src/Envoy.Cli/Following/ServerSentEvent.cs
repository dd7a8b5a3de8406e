namespace Envoy.Cli.Following;

/// <summary>One server-sent event: its <c>event:</c> name (the scheduler event's kind), <c>data:</c> (JSON) and <c>id:</c>.</summary>
internal sealed record ServerSentEvent(string Event, string Data, string? Id)
{
    /// <summary>The kind of the event that ends a job.</summary>
    public const string JobFinished = "jobFinished";

    /// <summary>The kind of a running step's progress report.</summary>
    public const string Progress = "progress";
}
