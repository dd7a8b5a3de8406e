using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Storage;

/// <summary>
/// Hears, from a store that reports them (<see cref="IJobStatusSource"/>), the job statuses its committed transactions wrote:
/// how a status cache kept next to the store (<see cref="StatusCachedJobStore"/>) is fed. Called on the committing thread
/// after the commit and before the caller resumes, in commit order; it must be quick and never throw.
/// </summary>
public interface IJobStatusObserver
{
    /// <summary>
    /// The store knows its identity (the same for every process on its database): called when it initializes (or at once when
    /// the observer is attached to an initialized store), before any <see cref="StatusesWritten"/>; a race of the two may call
    /// it twice with the same identity.
    /// </summary>
    void StoreIdentified(string storeId);

    /// <summary>
    /// One committed transaction wrote <paramref name="statuses"/> (each with the job's new version), and changed the jobs in
    /// <paramref name="unknown"/> without knowing their new status and version (cascaded, unblocked or finished jobs).
    /// </summary>
    void StatusesWritten(IReadOnlyList<CachedJobStatus> statuses, IReadOnlyList<string> unknown);
}
