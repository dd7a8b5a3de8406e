namespace Envoy.Runtime.Storage;

/// <summary>The answer of <see cref="IRateLimitStore.TryAcquireRateAsync"/>.</summary>
/// <param name="Granted">True when the weight was taken (and recorded).</param>
/// <param name="RetryAtMs">When refused: the earliest time the same request could be granted (Unix ms); null when granted.</param>
/// <param name="Used">The usage in the window before this request.</param>
public readonly record struct RateLimitAcquisition(bool Granted, long? RetryAtMs, long Used)
{
    /// <summary>
    /// The decision for <paramref name="permits"/> per <paramref name="windowMs"/> given the usage still in the window at
    /// <paramref name="nowMs"/> (<paramref name="usage"/>: times and weights, oldest first): granted when it fits, else the
    /// earliest time enough of the usage has left the window (an entry at <c>t</c> leaves it at <c>t + window</c>). The same
    /// arithmetic for every store.
    /// </summary>
    public static RateLimitAcquisition Decide(IReadOnlyList<(long AtMs, int Weight)> usage, int permits, long windowMs, int weight, long nowMs)
    {
        ArgumentNullException.ThrowIfNull(usage);
        long used = 0;
        foreach (var (_, w) in usage)
        {
            used += w;
        }

        if (used + weight <= permits)
        {
            return new RateLimitAcquisition(true, null, used);
        }

        var left = used;
        foreach (var (at, w) in usage)
        {
            left -= w;
            if (left + weight <= permits)
            {
                return new RateLimitAcquisition(false, Math.Max(at + windowMs, nowMs + 1), used);
            }
        }

        return new RateLimitAcquisition(false, nowMs + windowMs, used); // unreachable while weight <= permits
    }

    /// <summary>Throws for arguments no store accepts.</summary>
    public static void ThrowIfInvalid(string scope, int permits, long windowMs, int weight)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, permits);
    }
}
