using System.Globalization;

namespace Envoy.TestServers;

/// <summary>Where initdb and postgres are, and which OS user must run them.</summary>
internal sealed record PostgresBinaries(string BinDirectory, string? RunAsUser)
{
    /// <summary>Overrides the search, for machines with PostgreSQL outside /usr/lib/postgresql.</summary>
    public const string BinDirectoryVariable = "ENVOY_TEST_PG_BIN";

    /// <summary>Where Debian and Ubuntu install each major version (one folder per version).</summary>
    public const string DebianRoot = "/usr/lib/postgresql";

    private const string InstallHint =
        "Install them with: apt-get install -y postgresql (build/test.sh does this on a fresh machine), or set "
        + BinDirectoryVariable + " to the folder holding initdb and postgres.";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string Postgres => Path.Combine(BinDirectory, "postgres");

    /// <summary>Finds the binaries: the explicit folder, else the variable, else the newest Debian version, else PATH.</summary>
    /// <exception cref="TestServerException">No usable installation (the message says how to install one).</exception>
    public static PostgresBinaries Find(string? explicitBinDirectory, string debianRoot = DebianRoot)
    {
        var chosen = explicitBinDirectory ?? Environment.GetEnvironmentVariable(BinDirectoryVariable);
        if (!string.IsNullOrEmpty(chosen))
        {
            return HasServer(chosen)
                ? new PostgresBinaries(chosen, RunAsUserFor())
                : throw new TestServerException($"No PostgreSQL server binaries (initdb and postgres) in '{chosen}'. {InstallHint}");
        }

        var found = NewestDebianVersion(debianRoot) ?? FromPath();
        return found is not null
            ? new PostgresBinaries(found, RunAsUserFor())
            : throw new TestServerException(
                $"No PostgreSQL server binaries were found in {debianRoot}/*/bin or on PATH. {InstallHint}");
    }

    private static string? NewestDebianVersion(string root)
    {
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(folder => (Folder: folder, Version: ParseVersion(Path.GetFileName(folder))))
            .Where(candidate => candidate.Version is not null && HasServer(Path.Combine(candidate.Folder, "bin")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Folder, "bin"))
            .FirstOrDefault();
    }

    private static Version? ParseVersion(string name) =>
        int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? new Version(major, 0)
        : Version.TryParse(name, out var version) ? version
        : null;

    private static string? FromPath()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var initDb = Path.Combine(folder, "initdb");
            if (!File.Exists(initDb))
            {
                continue;
            }

            // Follow a symlink such as /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb.
            var target = File.ResolveLinkTarget(initDb, returnFinalTarget: true)?.FullName ?? initDb;
            var binDirectory = Path.GetDirectoryName(target);
            if (binDirectory is not null && HasServer(binDirectory))
            {
                return binDirectory;
            }
        }

        return null;
    }

    private static bool HasServer(string binDirectory) =>
        File.Exists(Path.Combine(binDirectory, "initdb")) && File.Exists(Path.Combine(binDirectory, "postgres"));

    /// <summary>
    /// initdb and postgres refuse to run as root: as root they run as the postgres OS user (which the Debian package
    /// creates); as anyone else they run as that user.
    /// </summary>
    private static string? RunAsUserFor()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return null;
        }

        var hasUser = File.Exists("/etc/passwd")
            && File.ReadLines("/etc/passwd").Any(line => line.StartsWith(PostgresNames.SuperUser + ":", StringComparison.Ordinal));
        return hasUser
            ? PostgresNames.SuperUser
            : throw new TestServerException(
                "The tests run as root, PostgreSQL refuses to run as root, and there is no 'postgres' OS user to run it as. "
                + "apt-get install -y postgresql creates it (or: useradd --system postgres).");
    }
}
