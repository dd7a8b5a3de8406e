namespace Envoy.Runtime.Storage;

/// <summary>
/// The store's registry of live workers (issue 17, flow versions): every started scheduler keeps a row of itself (its id, host,
/// process, start time and the (flow, version) pairs it serves) current with a heartbeat, and removes it on a clean stop; a
/// worker that died drops out when its row's <see cref="WorkerRow.UntilMs"/> passes. What "unserved" is measured against
/// (<c>ListUnservedJobsAsync</c>): a pending job no live worker has the flow or version of. All times are Unix milliseconds.
/// </summary>
public interface IWorkerRegistryStore
{
    /// <summary>
    /// Registers a worker or renews it (its heartbeat): inserts <paramref name="worker"/>, or replaces the row with its id, and
    /// deletes the rows that expired at or before <see cref="WorkerRow.LastSeenAtMs"/> (workers that died without removing
    /// themselves). One short transaction.
    /// </summary>
    Task SaveWorkerAsync(WorkerRow worker, CancellationToken cancellationToken = default);

    /// <summary>Removes a worker's row (a clean stop); false when there was none.</summary>
    Task<bool> RemoveWorkerAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>The live workers at <paramref name="nowMs"/>: rows whose <see cref="WorkerRow.UntilMs"/> is after it, by start time, then id.</summary>
    Task<IReadOnlyList<WorkerRow>> ListWorkersAsync(long nowMs, CancellationToken cancellationToken = default);
}
