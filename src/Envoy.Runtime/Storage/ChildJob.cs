namespace Envoy.Runtime.Storage;

/// <summary>A child behind a pending spawn wait, as <see cref="IJobTransaction.ChildrenOfPendingWaitsAsync"/> read it.</summary>
/// <param name="Id">The child job.</param>
/// <param name="Status">Its status.</param>
public sealed record ChildJob(string Id, JobStatus Status);
