namespace Envoy.AspNetCore;

/// <summary>
/// The roles of Envoy's API. <c>viewer</c>: every read. <c>operator</c>: also schedule, cancel, fail, retry, resolve waits and
/// answer the escalations addressed to its own user. <c>admin</c>: everything, including answering anyone's escalation.
/// </summary>
public static class EnvoyRoles
{
    /// <summary>Reads only.</summary>
    public const string Viewer = "viewer";

    /// <summary>Reads and operates jobs.</summary>
    public const string Operator = "operator";

    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, weakest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    /// <summary>Reads a role name (case-insensitive) into its canonical lower-case form.</summary>
    /// <returns>Whether <paramref name="value"/> names a role.</returns>
    public static bool TryParse(string? value, out string role)
    {
        foreach (var known in All)
        {
            if (string.Equals(value?.Trim(), known, StringComparison.OrdinalIgnoreCase))
            {
                role = known;
                return true;
            }
        }

        role = string.Empty;
        return false;
    }

    /// <summary>Whether <paramref name="role"/> may do what <paramref name="required"/> may.</summary>
    public static bool Includes(string? role, string required) => Rank(role) >= Rank(required) && Rank(required) >= 0;

    private static int Rank(string? role) => role switch
    {
        Viewer => 0,
        Operator => 1,
        Admin => 2,
        _ => -1,
    };
}
