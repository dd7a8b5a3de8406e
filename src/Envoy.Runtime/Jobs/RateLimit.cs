using System.Globalization;

namespace Envoy;

/// <summary>
/// At most <see cref="Permits"/> step starts of a flow in any <see cref="Window"/> (a sliding window, exact: never more in any
/// span of that length, at its edges included), over every process on the store, per concurrency key when jobs have one; set
/// on <see cref="FlowOptions.RateLimit"/>. The shape of a provider's requests-per-minute limit. Permits are reserved in the
/// store in blocks spent within a horizon of a tenth of the window (50 ms to 1 s): a limit that binds lets up to about 10%
/// fewer steps start than <see cref="Permits"/> per window, one that does not costs a store call per block. A step refused
/// a permit does not run: its job goes back to pending until the earliest time a permit frees (no attempt counted, no
/// failure), and says so in <see cref="Job.WaitingReason"/>.
/// </summary>
public sealed record RateLimit
{
    /// <summary>A limit of <paramref name="permits"/> step starts per <paramref name="window"/>.</summary>
    /// <param name="permits">Step starts per window: at least 1.</param>
    /// <param name="window">The window: at least one millisecond (it is counted in whole milliseconds, rounded up).</param>
    /// <exception cref="ArgumentOutOfRangeException">Permits below 1, or a window not positive.</exception>
    public RateLimit(int permits, TimeSpan window)
    {
        if (permits < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(permits), permits, $"A RateLimit needs at least 1 permit per window (was {permits}).");
        }

        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"A RateLimit's window must be positive (was {window}).");
        }

        Permits = permits;
        Window = window;
    }

    /// <summary>Step starts allowed per window.</summary>
    public int Permits { get; }

    /// <summary>The length of the sliding window.</summary>
    public TimeSpan Window { get; }

    /// <summary>The window in whole milliseconds (rounded up, at least 1), as the store counts it.</summary>
    internal long WindowMs => Math.Max(1, (long)Math.Ceiling(Window.TotalMilliseconds));

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Permits} per {Window}");
}
