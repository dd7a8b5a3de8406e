using System.Globalization;
using Xunit;

namespace Envoy.TestServers;

/// <summary>
/// One PostgreSQL server shared by a test class (<c>IClassFixture&lt;PostgresFixture&gt;</c>) or a collection
/// (<c>[CollectionDefinition] ... ICollectionFixture&lt;PostgresFixture&gt;</c>, declared in the test assembly).
/// A server start takes a second or two, a database a few milliseconds: share the server, and give each test its
/// own database with <see cref="CreateFreshDatabaseAsync"/> so tests stay independent.
/// </summary>
public class PostgresFixture : IAsyncLifetime
{
    /// <summary>
    /// Numbers the fresh databases over every fixture of the process, not per fixture: each test collection has its own
    /// server, and a test that tells its statements apart by database name (Npgsql's traces name the database, not the
    /// server) must not count another server's database of the same name.
    /// </summary>
    private static int databases;

    private PostgresServer? server;

    /// <summary>The running server.</summary>
    /// <exception cref="InvalidOperationException">Used before xunit initialized the fixture.</exception>
    public PostgresServer Server => server ?? throw new InvalidOperationException("The PostgreSQL fixture has not been initialized.");

    /// <summary>The connection string of the server's default database (shared by every test that uses it).</summary>
    public string ConnectionString => Server.ConnectionString;

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    /// <param name="cancellationToken">Cancels the creation.</param>
    /// <returns>An Npgsql connection string for the new database.</returns>
    public Task<string> CreateFreshDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref databases);
        return Server.CreateDatabaseAsync(string.Create(CultureInfo.InvariantCulture, $"test_{number}"), cancellationToken);
    }

    /// <summary>Starts the server.</summary>
    /// <returns>A task that completes when the server accepts connections.</returns>
    public async Task InitializeAsync() => server = await PostgresServer.StartAsync(CreateOptions()).ConfigureAwait(false);

    /// <summary>Stops the server and deletes its folder.</summary>
    /// <returns>A task that completes when the server is gone.</returns>
    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Override to change the server's settings (for example <c>Settings["shared_buffers"]</c>).</summary>
    /// <returns>The options to start the server with.</returns>
    protected virtual PostgresServerOptions CreateOptions() => new();
}
