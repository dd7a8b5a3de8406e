using Envoy.TestServers.Processes;
using Npgsql;

namespace Envoy.TestServers;

/// <summary>
/// A throwaway PostgreSQL server for tests: a fresh cluster (initdb) in a temporary folder, served by its own
/// postmaster on a free 127.0.0.1 port with trust authentication, durable default settings, and a database ready
/// to use. It can be stopped, restarted on the same port and data, or killed, to test what a store does when its
/// database goes away. Disposing stops it by PID and deletes the folder. Only processes it started are signalled.
/// </summary>
/// <example>
/// <code>
/// await using var postgres = await PostgresServer.StartAsync(cancellationToken);
/// await using var connection = new NpgsqlConnection(postgres.ConnectionString);
/// </code>
/// </example>
public sealed partial class PostgresServer : IAsyncDisposable
{
    private readonly PostgresServerOptions options;
    private readonly PostgresBinaries binaries;
    private readonly ServerDirectory directory;
    private readonly SemaphoreSlim gate = new(1, 1);
    private ServerProcess? process;
    private int disposed;

    private PostgresServer(PostgresServerOptions options, PostgresBinaries binaries, ServerDirectory directory)
    {
        this.options = options;
        this.binaries = binaries;
        this.directory = directory;
    }

    /// <summary>The address the server listens on: always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port, chosen at start and kept across restarts.</summary>
    public int Port { get; private set; }

    /// <summary>The database created at start (<see cref="PostgresServerOptions.Database"/>).</summary>
    public string Database => options.Database;

    /// <summary>An Npgsql connection string for <see cref="Database"/> as the postgres superuser.</summary>
    public string ConnectionString => ConnectionStringFor(Database);

    /// <summary>The postmaster's PID; it changes on every restart.</summary>
    /// <exception cref="InvalidOperationException">The server is stopped.</exception>
    public int Pid => process?.Pid ?? throw new InvalidOperationException("The PostgreSQL server is not running.");

    /// <summary>Whether the postmaster is running.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>The cluster's data directory (kept across restarts, deleted on dispose).</summary>
    public string DataDirectory => Path.Combine(directory.Path, "data");

    /// <summary>The folder of the initdb and postgres binaries in use.</summary>
    public string BinDirectory => binaries.BinDirectory;

    /// <summary>Starts a server with the default options.</summary>
    /// <param name="cancellationToken">Cancels the start (the half-started server is cleaned up).</param>
    /// <returns>The running server, with <see cref="Database"/> created.</returns>
    /// <exception cref="TestServerException">PostgreSQL is not installed, or did not start (the message has its output).</exception>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(new PostgresServerOptions(), cancellationToken);

    /// <summary>Starts a server: initdb in a new temporary folder, postmaster on a free port, the database created.</summary>
    /// <param name="options">How to set it up; copied.</param>
    /// <param name="cancellationToken">Cancels the start (the half-started server is cleaned up).</param>
    /// <returns>The running server, with <see cref="Database"/> created.</returns>
    /// <exception cref="TestServerException">PostgreSQL is not installed, or did not start (the message has its output).</exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy();
        options.Validate();
        var binaries = PostgresBinaries.Find(options.BinDirectory);
        ServerDirectory.ReapStale();

        var server = new PostgresServer(options, binaries, ServerDirectory.Create("pg"));
        try
        {
            await server.InitializeClusterAsync(cancellationToken).ConfigureAwait(false);
            await server.LaunchAsync(choosePort: true, cancellationToken).ConfigureAwait(false);
            if (options.Database != PostgresTemplate.Database)
            {
                await server.CreateDatabaseAsync(options.Database, cancellationToken).ConfigureAwait(false);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string for another database on this server.</summary>
    /// <param name="database">The database name.</param>
    /// <returns>Host, port, user postgres and the database.</returns>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = PostgresNames.SuperUser,
            Database = database,
        }.ConnectionString;

    /// <summary>Creates an empty database, for tests that need one of their own.</summary>
    /// <param name="name">Letters, digits and underscores (at most 63), starting with a letter or underscore.</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>The new database's connection string.</returns>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!PostgresNames.IsValidDatabaseName(name))
        {
            throw new ArgumentException(
                $"Database name '{name}' must be 1-63 letters, digits or underscores, starting with a letter or underscore.", nameof(name));
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
#pragma warning disable CA2100 // The name is validated above to [A-Za-z_][A-Za-z0-9_]*; identifiers cannot be parameters.
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    /// <summary>The last lines the server logged, for diagnosing a failing test.</summary>
    /// <returns>Up to 200 lines of the postmaster's stdout and stderr.</returns>
    public string RecentOutput() => process?.OutputTail() ?? "(not running)";

    /// <summary>
    /// Stops the server and deletes its folder. The shutdown is immediate (SIGQUIT, then SIGKILL past the stop
    /// timeout): the data is thrown away, so the shutdown checkpoint's writes and fsyncs would be wasted time.
    /// </summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCoreAsync(NativeMethods.SigQuit, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            directory.Dispose();
            gate.Release();
            gate.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"PostgreSQL on {Host}:{Port} ({(IsRunning ? "running" : "stopped")})";

    /// <summary>A connection string that bypasses pools, so no idle admin connection outlives its use.</summary>
    private string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ConnectionStringFor(PostgresNames.MaintenanceDatabase))
        {
            Pooling = false,
            Timeout = 5,
            ApplicationName = "envoy-testservers",
        }.ConnectionString;

    private async Task InitializeClusterAsync(CancellationToken cancellationToken)
    {
        if (binaries.RunAsUser is not null)
        {
            await directory.GiveToAsync(binaries.RunAsUser, cancellationToken).ConfigureAwait(false);
        }

        await PostgresTemplate.CopyToAsync(binaries, DataDirectory, options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }
}
