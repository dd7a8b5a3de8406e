namespace Envoy;

/// <summary>What a job history entry records.</summary>
public enum JobEventKind
{
    /// <summary>The job was created.</summary>
    Scheduled,

    /// <summary>A worker claimed the job (or took it over after a lease expired).</summary>
    Claimed,

    /// <summary>A step committed.</summary>
    StepCompleted,

    /// <summary>A step failed; the job will be retried or has failed.</summary>
    StepFailed,

    /// <summary>A wait was resolved from outside, or by a child.</summary>
    WaitResolved,

    /// <summary>An escalation was answered.</summary>
    EscalationAnswered,

    /// <summary>The job was cancelled.</summary>
    Cancelled,

    /// <summary>The job was failed by hand.</summary>
    Failed,

    /// <summary>A failed job was put back to pending by hand.</summary>
    Retried,

    /// <summary>A worker gave the job back (graceful stop).</summary>
    Released,

    /// <summary>The job's worker stopped renewing its lease (it died or lost the store); the maintenance leader put the job back to pending.</summary>
    LeaseExpired,
}
