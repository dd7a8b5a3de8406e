namespace Envoy.Runtime.Storage;

/// <summary>A job's status and parent, as <see cref="IJobTransaction.LockJobAsync"/> read them.</summary>
/// <param name="Status">Its status.</param>
/// <param name="ParentId">The job that spawned it, if any.</param>
/// <param name="ParentWaitId">The parent's wait it resolves when it ends, if any.</param>
public sealed record LockedJob(JobStatus Status, string? ParentId, string? ParentWaitId);
