using Cronos;

namespace Envoy.Runtime.Execution;

/// <summary>
/// A parsed cron expression in its time zone (Cronos): 5 fields, or 6 with seconds first; its occurrences in UTC.
/// </summary>
internal sealed class CronSchedule
{
    /// <summary>The time zone id stored when none is given.</summary>
    public const string Utc = "UTC";

    /// <summary>How far back <see cref="LatestBetween"/> looks first, widening each time nothing is found (cheap for any downtime).</summary>
    private static readonly TimeSpan[] LookBack =
        [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(32), TimeSpan.FromDays(367)];

    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone, string zoneId)
    {
        _expression = expression;
        Zone = zone;
        ZoneId = zoneId;
    }

    /// <summary>The time zone the expression is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>The time zone id as stored (<see cref="Utc"/> when none was given).</summary>
    public string ZoneId { get; }

    /// <summary>Parses an expression and a time zone id (null or empty: UTC).</summary>
    /// <exception cref="InvalidCronExpressionException">The expression is invalid (Cronos's reason in the error).</exception>
    /// <exception cref="UnknownTimeZoneException">The time zone is unknown.</exception>
    public static CronSchedule Parse(string cron, string? timeZone)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        CronExpression expression;
        try
        {
            if (fields is not (5 or 6) && !cron.TrimStart().StartsWith('@'))
            {
                throw new InvalidCronExpressionException(cron, $"expected 5 fields (minute hour day month weekday) or 6 with seconds first, found {fields}.", null);
            }

            expression = CronExpression.Parse(cron.Trim(), format);
        }
        catch (CronFormatException ex)
        {
            throw new InvalidCronExpressionException(cron, ex.Message, ex);
        }

        var zoneId = string.IsNullOrWhiteSpace(timeZone) ? Utc : timeZone.Trim();
        TimeZoneInfo zone;
        try
        {
            zone = string.Equals(zoneId, Utc, StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new UnknownTimeZoneException(zoneId);
        }

        return new CronSchedule(expression, zone, zoneId);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.ToUniversalTime(), Zone, inclusive: false)?.ToUniversalTime();

    /// <summary>
    /// The latest occurrence in [<paramref name="from"/>, <paramref name="to"/>], in UTC, or null when there is none: the one run a
    /// schedule owes after downtime. Looks back from <paramref name="to"/> in widening windows, so a long downtime of a
    /// every-second expression costs little.
    /// </summary>
    public DateTimeOffset? LatestBetween(DateTimeOffset from, DateTimeOffset to)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        if (to < from)
        {
            return null;
        }

        foreach (var back in LookBack)
        {
            var start = to - back;
            if (start <= from)
            {
                break;
            }

            if (Last(start, to) is { } found)
            {
                return found;
            }
        }

        return Last(from, to);
    }

    private DateTimeOffset? Last(DateTimeOffset from, DateTimeOffset to)
    {
        DateTimeOffset? last = null;
        foreach (var occurrence in _expression.GetOccurrences(from, to, Zone, fromInclusive: true, toInclusive: true))
        {
            last = occurrence;
        }

        return last?.ToUniversalTime();
    }
}
