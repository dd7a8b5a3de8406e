using System.Globalization;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>Durations as people read them: <c>850 ms</c>, <c>12.4 s</c>, <c>3 min 5 s</c>, <c>2 h 10 min</c>, <c>3 d 4 h</c>.</summary>
public static class Durations
{
    /// <summary>A short text for <paramref name="duration"/> (negative durations count as zero).</summary>
    public static string Describe(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        var c = CultureInfo.InvariantCulture;
        return duration.TotalSeconds switch
        {
            < 1 => string.Create(c, $"{duration.TotalMilliseconds:0} ms"),
            < 60 => string.Create(c, $"{duration.TotalSeconds:0.#} s"),
            < 3600 => string.Create(c, $"{(int)duration.TotalMinutes} min {duration.Seconds} s"),
            < 86400 => string.Create(c, $"{(int)duration.TotalHours} h {duration.Minutes} min"),
            _ => string.Create(c, $"{(int)duration.TotalDays} d {duration.Hours} h"),
        };
    }
}
