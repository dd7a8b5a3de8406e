namespace Envoy;

/// <summary>What a job history entry records. Stored as its number: a member keeps its number, a new one takes the next.</summary>
public enum JobEventKind
{
    /// <summary>The job was created.</summary>
    Scheduled = 0,

    /// <summary>A worker claimed the job (or took it over after a lease expired).</summary>
    Claimed = 1,

    /// <summary>A step committed.</summary>
    StepCompleted = 2,

    /// <summary>A step failed; the job will be retried or has failed.</summary>
    StepFailed = 3,

    /// <summary>A wait was resolved from outside, or by a child.</summary>
    WaitResolved = 4,

    /// <summary>An escalation was answered.</summary>
    EscalationAnswered = 5,

    /// <summary>The job was cancelled.</summary>
    Cancelled = 6,

    /// <summary>The job was failed by hand.</summary>
    Failed = 7,

    /// <summary>A failed job was put back to pending by hand.</summary>
    Retried = 8,

    /// <summary>A worker gave the job back (graceful stop).</summary>
    Released = 9,

    /// <summary>The job's worker stopped renewing its lease (it died or lost the store); the maintenance leader put the job back to pending.</summary>
    LeaseExpired = 10,
}
