namespace Envoy.Runtime.Storage;

/// <summary>An unfinished job created before a flow's maximum age (<see cref="IJobCoordinationStore.FindAgedJobsAsync"/>).</summary>
/// <param name="Id">The job.</param>
/// <param name="CreatedAtMs">When it was created (Unix milliseconds).</param>
public sealed record AgedJob(string Id, long CreatedAtMs);
