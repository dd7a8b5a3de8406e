using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// The notice the jobs list shows after a bulk action (Post-Redirect-Get): fixed text built from the numbers in the address
/// (<c>notice=retried|cancelled</c>, <c>n</c>, <c>skipped</c>, <c>more</c>), never text taken from it.
/// </summary>
internal static class JobsBulkNotice
{
    /// <summary>The address's notice, or null.</summary>
    public static string? Of(IQueryCollection query)
    {
        var verb = query["notice"].ToString() switch
        {
            "retried" => "retried",
            "cancelled" => "cancelled",
            _ => null,
        };
        if (verb is null)
        {
            return null;
        }

        var done = Number(query["n"]);
        var skipped = Number(query["skipped"]);
        var text = string.Create(CultureInfo.InvariantCulture, $"{done:N0} {verb}, {skipped:N0} skipped.");
        if (query["more"] == "1")
        {
            text += " More jobs match the filter than one action handles: press the button again to go on.";
        }

        return text;
    }

    /// <summary>The query-string pairs of a notice.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Pairs(string verb, int done, int skipped, bool more)
    {
        yield return new("notice", verb);
        yield return new("n", done.ToString(CultureInfo.InvariantCulture));
        yield return new("skipped", skipped.ToString(CultureInfo.InvariantCulture));
        if (more)
        {
            yield return new("more", "1");
        }
    }

    private static int Number(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
