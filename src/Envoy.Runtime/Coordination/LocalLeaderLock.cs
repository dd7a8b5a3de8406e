namespace Envoy.Runtime.Coordination;

/// <summary>
/// A leader lock among the holders created from one <see cref="LocalLeaderGroup"/> (the schedulers of one process sharing a
/// store instance). Used by stores that serve one process.
/// </summary>
public sealed class LocalLeaderLock : ILeaderLock
{
    private readonly LocalLeaderGroup _group;

    /// <summary>Creates a holder in <paramref name="group"/>.</summary>
    public LocalLeaderLock(LocalLeaderGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        _group = group;
    }

    /// <inheritdoc />
    public string Description => "in-process lock";

    /// <inheritdoc />
    public Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default) => Task.FromResult(_group.TryHold(this));

    /// <inheritdoc />
    public Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        _group.Release(this);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _group.Release(this);
        return ValueTask.CompletedTask;
    }
}
