using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Envoy.TestServers.Processes;

namespace Envoy.TestServers;

/// <summary>
/// initdb takes seconds (bootstrap and post-bootstrap initialization, more on a busy machine); copying its result
/// takes a fraction of one. So the first start on a machine runs initdb into a template folder,
/// <c>/tmp/envoy-testservers/pgtemplate-v2-{hash}</c> (with the default database created), kept for later starts and later test runs, and every server
/// starts from a copy. The hash covers the binaries (path, size, timestamp), the OS user and initdb's arguments, so
/// an upgrade gets a new template. A file lock makes concurrent test hosts run initdb once between them.
/// </summary>
internal static class PostgresTemplate
{
    /// <summary>The database every copy already has (the default <see cref="PostgresServerOptions.Database"/>).</summary>
    public const string Database = "envoy";

    private const string Layout = "v2";
    private const string CompleteMarker = "complete";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Creates <paramref name="dataDirectory"/> as a fresh cluster, owned by the server's OS user.</summary>
    public static async Task CopyToAsync(PostgresBinaries binaries, string dataDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var template = await GetOrCreateAsync(binaries, timeout, cancellationToken).ConfigureAwait(false);

        // Copied as the server's user, so the copy is its own; -a keeps the 0700 mode PostgreSQL insists on.
        var parent = Path.GetDirectoryName(dataDirectory)!;
        await ServerProcess.RunAsync("cp", ["-a", Path.Combine(template, "data"), dataDirectory], parent, binaries.RunAsUser, timeout, cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<string> GetOrCreateAsync(PostgresBinaries binaries, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var template = Path.Combine(ServerDirectory.Root, $"pgtemplate-{Layout}-{Key(binaries)}");
        if (IsComplete(template))
        {
            return template;
        }

        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var machineWide = await LockAsync(template + ".lock", timeout, cancellationToken).ConfigureAwait(false);
            if (!IsComplete(template))
            {
                ServerDirectory.TryDelete(template);
                await CreateAsync(binaries, template, timeout, cancellationToken).ConfigureAwait(false);
            }

            return template;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>initdb into a staging folder (reaped like a server's if this host dies), then an atomic rename.</summary>
    private static async Task CreateAsync(PostgresBinaries binaries, string template, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var staging = ServerDirectory.Create("pgstaging");
        try
        {
            if (binaries.RunAsUser is not null)
            {
                await staging.GiveToAsync(binaries.RunAsUser, cancellationToken).ConfigureAwait(false);
            }

            var dataDirectory = Path.Combine(staging.Path, "data");
            await ServerProcess.RunAsync(
                binaries.InitDb, InitDbArguments(dataDirectory), staging.Path, binaries.RunAsUser, timeout, cancellationToken)
                .ConfigureAwait(false);

            // The default database, made here once in single-user mode: a CREATE DATABASE on a running server writes
            // and fsyncs a copy of template1 into the WAL, which costs every start a second or more on a busy disk.
            await ServerProcess.RunAsync(
                binaries.Postgres,
                ["--single", "-D", dataDirectory, "-F", "-c", "exit_on_error=on", PostgresNames.MaintenanceDatabase],
                staging.Path,
                binaries.RunAsUser,
                timeout,
                cancellationToken,
                standardInput: $"CREATE DATABASE \"{Database}\"\n").ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(staging.Path, CompleteMarker), binaries.BinDirectory, cancellationToken).ConfigureAwait(false);
            Directory.Move(staging.Path, template);
        }
        finally
        {
            staging.Dispose();
        }
    }

    /// <summary>Trust for every local and 127.0.0.1 connection; --no-sync only skips flushing initdb's own files.</summary>
    private static string[] InitDbArguments(string dataDirectory) =>
    [
        "--pgdata", dataDirectory, "--username", PostgresNames.SuperUser, "--auth", "trust",
        "--encoding", "UTF8", "--locale", "C", "--no-sync",
    ];

    private static bool IsComplete(string template) =>
        File.Exists(Path.Combine(template, CompleteMarker)) && File.Exists(Path.Combine(template, "data", "PG_VERSION"));

    private static string Key(PostgresBinaries binaries)
    {
        var postgres = new FileInfo(binaries.Postgres);
        var identity = string.Join(
            '|',
            binaries.BinDirectory,
            postgres.Length.ToString(CultureInfo.InvariantCulture),
            postgres.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture),
            binaries.RunAsUser ?? Environment.UserName,
            string.Join(' ', InitDbArguments(string.Empty)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    /// <summary>An exclusive lock on a file (flock on Unix), released when disposed or when this process dies.</summary>
    private static async Task<FileStream> LockAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Deadline.After(timeout);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!deadline.HasPassed)
            {
                await Deadline.PauseBeforeNextProbeAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
