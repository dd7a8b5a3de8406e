using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution.Events;

/// <summary>
/// The <see cref="JobFinishedEvent"/>s of the descendants a job's end cancelled: each is a job that finished too, whichever
/// path ended the ancestor (cancelled or failed by hand, or failed by its own step).
/// </summary>
internal static class CascadeEvents
{
    /// <summary>The error a cascade writes on each descendant it cancels (the stores write the same text).</summary>
    public static string Error(string ancestorId, JobStatus ancestorStatus) =>
        $"cancelled: ancestor job '{ancestorId}' ended {ancestorStatus.ToString().ToLowerInvariant()}";

    /// <summary>Publishes one event per cancelled descendant.</summary>
    public static void Publish(SchedulerEventHub events, string ancestorId, JobStatus ancestorStatus, IReadOnlyList<CascadedJob>? cascaded, DateTimeOffset at)
    {
        if (cascaded is null)
        {
            return;
        }

        var error = Error(ancestorId, ancestorStatus);
        foreach (var descendant in cascaded)
        {
            events.Publish(new JobFinishedEvent(descendant.Id, at, descendant.Flow, JobStatus.Cancelled, error));
        }
    }
}
