namespace Envoy.Runtime.Storage;

/// <summary>What <see cref="IJobWriteStore.CreateLimitedJobAsync"/> did.</summary>
/// <param name="Id">The job's id: the new job's, or the existing job's when its idempotency key was already used.</param>
/// <param name="Started">
/// True when the job was inserted claimed (running, leased to <see cref="NewJob.Lease"/>'s owner: the caller runs it now);
/// false when it was inserted pending (its key had no free slot) or nothing was inserted (an existing id).
/// </param>
public sealed record CreatedJob(string Id, bool Started);
