using System.Text;

namespace Envoy.Runtime.Execution;

/// <summary>
/// What every store accepts in a context: at most <see cref="SchedulerOptions.MaxContextBytes"/> of UTF-8 JSON, and no U+0000
/// in any string (PostgreSQL's <c>jsonb</c> cannot hold it, nor its <c>text</c> columns; SQLite could, but the stores must
/// agree, so it is refused before any store sees it). Checked where values enter (schedule, wait results, escalation
/// replies) and on every step commit, so that one job's bad value fails that job alone and never a commit batch.
/// </summary>
internal static class ContextLimits
{
    private const string NulEscape = "\\u0000";

    /// <summary>Why <paramref name="json"/> (the <paramref name="path"/>: input, context, ...) cannot be stored, or null.</summary>
    public static string? Refusal(string? json, string path, int maxBytes)
    {
        if (json is null)
        {
            return null;
        }

        // A UTF-8 byte is at least one char: a short text needs no count.
        if (json.Length > maxBytes / 3)
        {
            var bytes = Encoding.UTF8.GetByteCount(json);
            if (bytes > maxBytes)
            {
                return ContextTooLargeException.Describe(path, bytes, maxBytes);
            }
        }

        return HasNul(json) ? NulMessage(path) : null;
    }

    /// <summary>Throws the typed error for a value that entered through the API and cannot be stored.</summary>
    /// <exception cref="ContextTooLargeException">It is too large.</exception>
    /// <exception cref="ContextValueException">It holds U+0000.</exception>
    public static void ThrowIfRefused(string? json, string path, int maxBytes)
    {
        if (json is null)
        {
            return;
        }

        var bytes = json.Length > maxBytes / 3 ? Encoding.UTF8.GetByteCount(json) : 0;
        if (bytes > maxBytes)
        {
            throw new ContextTooLargeException(path, bytes, maxBytes);
        }

        if (HasNul(json))
        {
            throw new ContextValueException(path, NulMessage(path), null);
        }
    }

    /// <summary>A message or error text as every store can hold it: U+0000 becomes U+FFFD.</summary>
    public static string? Storable(string? text) => text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace('\0', '\uFFFD');

    private static string NulMessage(string path) =>
        $"The {path} holds a string with the character U+0000, which no store accepts (PostgreSQL's jsonb cannot store it).";

    /// <summary>
    /// True when the JSON text holds U+0000 in a string (the escape <c>\u0000</c>, or the raw character). An escape counts only
    /// when the backslash before it is not itself escaped (<c>"\\u0000"</c> is a backslash and the text u0000).
    /// </summary>
    internal static bool HasNul(string json)
    {
        if (json.Contains('\0', StringComparison.Ordinal))
        {
            return true;
        }

        var at = json.IndexOf(NulEscape, StringComparison.Ordinal);
        while (at >= 0)
        {
            var backslashes = 0;
            for (var i = at - 1; i >= 0 && json[i] == '\\'; i--)
            {
                backslashes++;
            }

            if (backslashes % 2 == 0)
            {
                return true;
            }

            at = json.IndexOf(NulEscape, at + 1, StringComparison.Ordinal);
        }

        return false;
    }
}
