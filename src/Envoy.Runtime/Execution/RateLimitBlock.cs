using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// The permits this process holds of one rate-limit scope (<see cref="RateLimitPermits"/>): its current block (permits
/// reserved in the store, spendable during [from, until]), the size its next block asks for, and the last refusal (until
/// then the store would refuse one permit, so callers are refused without asking it). Guarded by its own lock; one refill
/// at a time (<see cref="Refill"/>).
/// </summary>
internal sealed class RateLimitBlock
{
    private readonly Lock _lock = new();
    private long _from;
    private long _until = long.MinValue;
    private int _size;
    private int _left;
    private int _next = 1;
    private RateLimitAcquisition _refusal;
    private (long From, long Until, int Size)? _spare;
    private bool _prefetching;

    /// <summary>Held by the one caller that asks the store for the next block; the others wait for it, then take from it.</summary>
    public SemaphoreSlim Refill { get; } = new(1, 1);

    /// <summary>The smallest block that is reserved ahead (<see cref="TryTake"/>'s <c>prefetch</c>): a scope that starts steps fast.</summary>
    internal const int PrefetchFrom = 4;

    /// <summary>
    /// Granted when the block (or the spare reserved ahead, which then becomes the block) has a permit spendable at
    /// <paramref name="nowMs"/> (it is spent); refused while the last refusal holds; null when a refill is needed.
    /// <paramref name="prefetch"/> says the caller should reserve the next block ahead (of <paramref name="prefetchSize"/>
    /// permits): half of a block of at least <see cref="PrefetchFrom"/> is spent and no spare is there or on its way.
    /// </summary>
    public RateLimitAcquisition? TryTake(long nowMs, int cap, out bool prefetch, out int prefetchSize)
    {
        lock (_lock)
        {
            prefetch = false;
            prefetchSize = 0;
            if (!(_left > 0 && nowMs >= _from && nowMs <= _until) && _spare is { } spare && nowMs >= spare.From && nowMs <= spare.Until)
            {
                _next = _left == 0 ? _size * 2 : Math.Max(1, _size - _left);
                (_from, _until, _size, _left, _spare) = (spare.From, spare.Until, spare.Size, spare.Size, null);
            }

            if (_left > 0 && nowMs >= _from && nowMs <= _until)
            {
                _left--;
                if (_size >= PrefetchFrom && _left <= _size / 2 && _spare is null && !_prefetching)
                {
                    (prefetch, prefetchSize, _prefetching) = (true, Math.Clamp(_size * 2, 1, cap), true);
                }

                return new RateLimitAcquisition(true, null, 0);
            }

            return _refusal.RetryAtMs > nowMs ? _refusal : null;
        }
    }

    /// <summary>The block reserved ahead arrived (null: it was not granted, or failed): it is spent once the current one is.</summary>
    public void Prefetched((long From, long Until, int Size)? spare)
    {
        lock (_lock)
        {
            _spare = spare ?? _spare;
            _prefetching = false;
        }
    }

    /// <summary>
    /// The size of the next block, from how the current one went: used up before its horizon ended, twice its size (at
    /// most <paramref name="cap"/>); ended with permits left, the number it used (at least 1); none yet, the last size.
    /// </summary>
    public int NextSize(int cap)
    {
        lock (_lock)
        {
            if (_size > 0)
            {
                _next = _left == 0 ? _size * 2 : Math.Max(1, _size - _left);
                _size = 0;
                _left = 0;
            }

            _spare = null; // not spendable now, or the caller would have taken from it

            _next = Math.Clamp(_next, 1, cap);
            return _next;
        }
    }

    /// <summary>
    /// A block of <paramref name="size"/> permits, spendable during [<paramref name="fromMs"/>, <paramref name="untilMs"/>]; takes
    /// one for the caller that reserved it when <paramref name="nowMs"/> is in it (false: it came too late to be spent).
    /// </summary>
    public bool InstallAndTake(long fromMs, long untilMs, int size, long nowMs)
    {
        lock (_lock)
        {
            (_from, _until, _size, _left, _next) = (fromMs, untilMs, size, size, size);
            _refusal = default;
            if (nowMs < fromMs || nowMs > untilMs)
            {
                return false;
            }

            _left--;
            return true;
        }
    }

    /// <summary>The store refused one permit until the refusal's retry time: the next block starts at 1 permit.</summary>
    public void Refuse(RateLimitAcquisition refusal)
    {
        lock (_lock)
        {
            (_size, _left, _next, _refusal) = (0, 0, 1, refusal);
        }
    }

    /// <summary>True when nothing here is of use at <paramref name="nowMs"/> (block ended, refusal over, no refill running).</summary>
    public bool IsIdle(long nowMs)
    {
        lock (_lock)
        {
            return (_left == 0 || nowMs > _until) && !(_spare?.Until >= nowMs) && !(_refusal.RetryAtMs > nowMs) && !_prefetching && Refill.CurrentCount == 1;
        }
    }
}
