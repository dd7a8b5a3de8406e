namespace Envoy.Runtime.Execution;

/// <summary>
/// How long the jobs of one pool held their slot lately: an exponentially weighted average over the last runs (each new run
/// weighs one eighth). Unknown until a first run ends.
/// </summary>
internal sealed class RecentJobTime
{
    private const double Weight = 1.0 / 8;

    // Written by every run that ends; a lost update among racing ones only drops one sample.
    private double _averageMs = double.NaN;

    /// <summary>The average in milliseconds, or NaN before any run ended.</summary>
    public double AverageMs => Volatile.Read(ref _averageMs);

    /// <summary>Adds the slot time of a run that just ended.</summary>
    public void Add(TimeSpan held)
    {
        var sample = held.TotalMilliseconds;
        var average = Volatile.Read(ref _averageMs);
        Volatile.Write(ref _averageMs, double.IsNaN(average) ? sample : average + ((sample - average) * Weight));
    }

    /// <summary>Whether runs ended lately and took at most <paramref name="limit"/> on average.</summary>
    public bool AtMost(TimeSpan limit) => AverageMs <= limit.TotalMilliseconds;
}
