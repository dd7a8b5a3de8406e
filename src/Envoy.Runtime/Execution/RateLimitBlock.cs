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

    /// <summary>Held by the one caller that asks the store for the next block; the others wait for it, then take from it.</summary>
    public SemaphoreSlim Refill { get; } = new(1, 1);

    /// <summary>
    /// Granted when the block has a permit spendable at <paramref name="nowMs"/> (it is spent); refused while the last
    /// refusal holds; null when a refill is needed.
    /// </summary>
    public RateLimitAcquisition? TryTake(long nowMs)
    {
        lock (_lock)
        {
            if (_left > 0 && nowMs >= _from && nowMs <= _until)
            {
                _left--;
                return new RateLimitAcquisition(true, null, 0);
            }

            return _refusal.RetryAtMs > nowMs ? _refusal : null;
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
            return (_left == 0 || nowMs > _until) && !(_refusal.RetryAtMs > nowMs) && Refill.CurrentCount == 1;
        }
    }
}
