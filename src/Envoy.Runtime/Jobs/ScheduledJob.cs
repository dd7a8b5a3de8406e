namespace Envoy;

/// <summary>What <see cref="Scheduler.ScheduleJobAsync"/> did: the job's id, and whether this call created it.</summary>
/// <param name="Id">The job's id: the new job, or the job its idempotency key already named.</param>
/// <param name="Created">
/// True when this call created the job; false when <see cref="ScheduleOptions.IdempotencyKey"/> already named a job of the
/// same flow (nothing was created).
/// </param>
public sealed record ScheduledJob(string Id, bool Created)
{
    /// <summary>
    /// When <see cref="Created"/>: the job as this call stored it (pending, or running when a worker of this scheduler started
    /// it at once), so that a caller can answer with it without reading it back; it may have moved on since. Null otherwise.
    /// </summary>
    public Job? Job { get; init; }
}
