namespace Envoy.Runtime.Coordination;

/// <summary>
/// What a shared fast server (Redis) adds next to a store that is the source of truth: wake-ups between processes (as an
/// <see cref="ISignalTransport"/>), a leader lock and a status cache. Losing it loses nothing: the store falls back to its own
/// wake-ups, its own lock and its own reads.
/// </summary>
public interface ICoordinationAccelerator : ISignalTransport
{
    /// <summary>Whether the server is reachable right now.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// The job status cache of one store (<paramref name="scope"/> names it, for example its database: stores sharing this server
    /// keep their counts apart).
    /// </summary>
    IJobStatusCache CreateStatusCache(string scope);

    /// <summary>
    /// A holder of the lock called <paramref name="name"/>, competing with the holders of every other process (put the store's
    /// identity in the name: stores sharing this server each have their own leader).
    /// </summary>
    ILeaderLock CreateLeaderLock(string name);
}
