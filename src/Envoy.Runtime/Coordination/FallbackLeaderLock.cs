namespace Envoy.Runtime.Coordination;

/// <summary>
/// A fast lock (Redis) while it is reachable, and a fallback lock (a PostgreSQL advisory lock) while it is not. Switching
/// releases the lock not in use. During a switch two processes may each lead for a moment (one through each lock): the
/// maintenance a leader runs is transactional and idempotent, so that costs one redundant sweep, never a wrong one.
/// </summary>
public sealed class FallbackLeaderLock : ILeaderLock
{
    private readonly ILeaderLock _primary;
    private readonly Func<bool> _primaryAvailable;
    private readonly ILeaderLock _fallback;
    private ILeaderLock? _current;

    /// <summary>Uses <paramref name="primary"/> while <paramref name="primaryAvailable"/> says so, else <paramref name="fallback"/>.</summary>
    public FallbackLeaderLock(ILeaderLock primary, Func<bool> primaryAvailable, ILeaderLock fallback)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(primaryAvailable);
        ArgumentNullException.ThrowIfNull(fallback);
        _primary = primary;
        _primaryAvailable = primaryAvailable;
        _fallback = fallback;
    }

    /// <inheritdoc />
    public string Description => (_current ?? _primary).Description;

    /// <inheritdoc />
    public async Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        var wanted = _primaryAvailable() ? _primary : _fallback;
        if (_current is { } previous && !ReferenceEquals(previous, wanted))
        {
            await previous.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }

        _current = wanted;
        return await wanted.TryHoldAsync(timeToLive, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (_current is { } current)
        {
            await current.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            _current = null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync().ConfigureAwait(false);
        await _fallback.DisposeAsync().ConfigureAwait(false);
    }
}
