namespace Envoy;

/// <summary>Where a job stands. <see cref="Done"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are terminal and never change again.</summary>
public enum JobStatus
{
    /// <summary>Waiting to run (possibly not before its run-at time).</summary>
    Pending = 0,

    /// <summary>Claimed by a worker that holds its lease.</summary>
    Running = 1,

    /// <summary>Waiting for its waits: children, escalations, external events.</summary>
    Blocking = 2,

    /// <summary>Finished.</summary>
    Done = 3,

    /// <summary>Failed for good (after its retries, by hand, or at <c>MaxSteps</c>).</summary>
    Failed = 4,

    /// <summary>Cancelled.</summary>
    Cancelled = 5,
}
