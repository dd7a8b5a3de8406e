namespace Envoy;

/// <summary>Limits of progress events (<see cref="JobProgressEvent"/>).</summary>
public static class JobProgressLimits
{
    /// <summary>
    /// The largest progress value, as JSON text written with the default (escaping) encoder: a character outside ASCII counts
    /// up to 6. A larger report is refused (not sent, counted and logged); this keeps each event within one PostgreSQL
    /// <c>NOTIFY</c> (8000 bytes).
    /// </summary>
    public const int MaxJsonLength = 4096;

    /// <summary>The shortest time between two progress events of one job; reports in between are coalesced to the latest.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
}
