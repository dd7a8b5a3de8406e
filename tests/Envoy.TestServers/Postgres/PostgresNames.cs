using System.Text.RegularExpressions;

namespace Envoy.TestServers;

/// <summary>The identifiers this library puts into SQL and command lines, checked so they never need quoting rules.</summary>
internal static partial class PostgresNames
{
    /// <summary>The superuser initdb creates; tests connect as it with trust authentication.</summary>
    public const string SuperUser = "postgres";

    /// <summary>The maintenance database used to create others.</summary>
    public const string MaintenanceDatabase = "postgres";

    public static bool IsValidDatabaseName(string? name) => name is not null && DatabaseName().IsMatch(name);

    public static bool IsValidSettingName(string? name) => name is not null && SettingName().IsMatch(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex DatabaseName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SettingName();
}
