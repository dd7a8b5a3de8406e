using System.Diagnostics.CodeAnalysis;

namespace Envoy.Runtime.Retries;

/// <summary>Exponential backoff with jitter: retry n waits between half and all of min(max, base × 2^(n-1)).</summary>
public static class RetryBackoff
{
    /// <summary>The delay before retry number <paramref name="retry"/> (1-based).</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter spreads retries; it is not a secret.")]
    public static TimeSpan Delay(int retry, TimeSpan baseDelay, TimeSpan maxDelay, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var exponent = Math.Min(retry - 1, 30);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var jitter = (random ?? Random.Shared).NextDouble();
        return TimeSpan.FromMilliseconds((ceiling / 2) + (jitter * ceiling / 2));
    }
}
