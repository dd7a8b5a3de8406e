namespace Envoy.Runtime.Coordination;

/// <summary>The <see cref="LocalLeaderLock"/> holders competing for one lock (at most one holds it).</summary>
public sealed class LocalLeaderGroup
{
    private LocalLeaderLock? _holder;

    internal bool TryHold(LocalLeaderLock candidate) =>
        Interlocked.CompareExchange(ref _holder, candidate, null) is null || ReferenceEquals(Volatile.Read(ref _holder), candidate);

    internal void Release(LocalLeaderLock holder) => Interlocked.CompareExchange(ref _holder, null, holder);
}
