using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Envoy.Cli.Output;

/// <summary>How values look in tables: times, JSON, statuses (coloured when colour is on), empty values.</summary>
internal static class Show
{
    /// <summary>A time in UTC, to the second (<c>2026-01-31 08:00:00Z</c>), or an empty string.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty;

    /// <summary>A JSON value as compact text, shortened to <paramref name="max"/> characters.</summary>
    public static string Json(JsonNode? node, int max = 60)
    {
        var text = node?.ToJsonString() ?? string.Empty;
        return Shorten(text, max);
    }

    /// <summary>Shortens <paramref name="text"/> to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Shorten(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= max ? oneLine : string.Concat(oneLine.AsSpan(0, max - 1), "…");
    }

    /// <summary>A status as a table cell, coloured by meaning.</summary>
    public static Text Status(string status) => new(status, new Style(StatusColor(status)));

    /// <summary>Plain text as a table cell (never read as markup).</summary>
    public static Text Cell(string? text) => new(text ?? string.Empty);

    /// <summary>A number as a table cell.</summary>
    public static Text Cell(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static Color StatusColor(string status) => status switch
    {
        JobStatuses.Done or "approved" or "success" => Color.Green,
        JobStatuses.Failed or "rejected" or "error" => Color.Red,
        JobStatuses.Cancelled or "expired" => Color.Grey,
        JobStatuses.Running => Color.Blue,
        JobStatuses.Blocking => Color.Yellow,
        _ => Color.Default,
    };
}
