namespace Envoy.Runtime.Storage;

/// <summary>A job's status together with one of its waits, as <see cref="IJobTransaction.LockJobWaitAsync"/> read them in one statement.</summary>
/// <param name="JobStatus">The job's status.</param>
/// <param name="Wait">The wait's resolution status and type; null when the job has no such wait.</param>
public sealed record LockedWait(JobStatus JobStatus, WaitState? Wait);
