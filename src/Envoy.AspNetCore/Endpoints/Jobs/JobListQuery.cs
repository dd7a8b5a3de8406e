using System.Globalization;
using Envoy.AspNetCore.Errors;

namespace Envoy.AspNetCore.Endpoints.Jobs;

/// <summary>
/// Reads the query string of <c>GET /jobs</c> into a <see cref="JobQuery"/>: every malformed or out-of-range parameter is
/// <see cref="InvalidQueryException"/> naming it (<c>400</c> <c>invalid_query</c>), so the store only ever sees valid values.
/// </summary>
internal static class JobListQuery
{
    /// <summary>The page size when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page: a larger <c>limit</c> is clamped to it.</summary>
    public const int MaxLimit = 500;

    /// <summary>The longest <c>search</c> term, in characters (as the stores accept).</summary>
    public const int MaxSearchLength = JobQuery.MaxSearchLength;

    /// <summary>The query of these parameters (each as given in the query string, or null).</summary>
    /// <exception cref="InvalidQueryException">A parameter is malformed or out of range.</exception>
    public static JobQuery Parse(
        string? status,
        string? flow,
        string? parentId,
        string? search,
        string? createdAfter,
        string? createdBefore,
        string? limit,
        string? offset)
    {
        return new JobQuery
        {
            Status = string.IsNullOrEmpty(status) ? null : ParseStatus(status),
            Flow = Text("flow", flow),
            ParentId = Text("parentId", parentId),
            Search = ParseSearch(search),
            CreatedAfter = Time("createdAfter", createdAfter),
            CreatedBefore = Time("createdBefore", createdBefore),
            Limit = Math.Min(Number("limit", limit, DefaultLimit, minimum: 1), MaxLimit),
            Offset = Number("offset", offset, 0, minimum: 0),
        };
    }

    private static JobStatus ParseStatus(string status) =>
        Json.JsonNames.TryParse<JobStatus>(status, out var parsed)
            ? parsed
            : throw new InvalidQueryException("status", $"Parameter 'status' must be one of {string.Join(", ", Enum.GetValues<JobStatus>().Select(s => Json.JsonNames.Of(s)))} (was '{Shorten(status)}').");

    private static string? Text(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value.Contains('\0', StringComparison.Ordinal)
            ? throw new InvalidQueryException(name, $"Parameter '{name}' cannot hold the character U+0000.")
            : value;
    }

    private static string? ParseSearch(string? search)
    {
        var text = Text("search", search);
        return text is { Length: > MaxSearchLength }
            ? throw new InvalidQueryException("search", $"Parameter 'search' must be at most {MaxSearchLength} characters (it has {text.Length}).")
            : text;
    }

    private static DateTimeOffset? Time(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // An unencoded '+' of an offset arrives as a space ("...T08:00:00 01:00"): read it as the '+' it was.
        var text = value.Trim();
        var space = text.LastIndexOf(' ');
        var plus = space > 0 && space + 1 < text.Length && char.IsAsciiDigit(text[space + 1])
            ? string.Concat(text.AsSpan(0, space), "+", text.AsSpan(space + 1))
            : text;
        return TryParseTime(text, out var time) || TryParseTime(plus, out time)
            ? time
            : throw new InvalidQueryException(name, $"Parameter '{name}' must be an ISO 8601 time such as 2026-01-31T08:00:00Z (was '{Shorten(value)}').");
    }

    private static bool TryParseTime(string text, out DateTimeOffset time)
    {
        var parsed = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
        time = time.ToUniversalTime();
        return parsed;
    }

    private static int Number(string name, string? value, int fallback, int minimum)
    {
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < minimum)
        {
            throw new InvalidQueryException(name, $"Parameter '{name}' must be a whole number of at least {minimum} (was '{Shorten(value)}').");
        }

        return number;
    }

    /// <summary>A value for an error's detail: at most 100 characters (a 10 kB parameter is not echoed whole).</summary>
    private static string Shorten(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "...");
}
