using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Storage;

/// <summary>
/// A store that reports the job statuses its transactions write to an <see cref="IJobStatusObserver"/>, and reads a job's
/// status with its version: what a status cache next to it needs (<see cref="StatusCachedJobStore"/>).
/// </summary>
public interface IJobStatusSource
{
    /// <summary>
    /// Attaches the one observer of this store's written statuses; attach it before the store's first write. Once attached,
    /// the store's transactions record the statuses they write (a small cost), which they do not otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">An observer is already attached.</exception>
    void AttachStatusObserver(IJobStatusObserver observer);

    /// <summary>A job's status and version as stored (never from a cache), or null for an unknown job.</summary>
    Task<CachedJobStatus?> ReadJobStatusAsync(string id, CancellationToken cancellationToken = default);
}
