using Envoy.Coordination.Redis;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Envoy.Storage.Conformance;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>The store conformance suite against a real PostgreSQL server, a fresh database per test.</summary>
[Collection(SharedServers.Name)]
public sealed class PostgresConformanceTests(PostgresFixture postgres) : StoreConformanceTests
{
    private string? _connectionString;

    protected override async Task<IJobStore> CreateStoreAsync()
    {
        _connectionString = await postgres.CreateFreshDatabaseAsync();
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = _connectionString });
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IJobStore?> OpenSecondInstanceAsync()
    {
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = _connectionString! });
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IJobStore?> CreateUnmigratedStoreAsync() =>
        new PostgresJobStore(new PostgresConfig { ConnectionString = await postgres.CreateFreshDatabaseAsync() });

    protected override async Task<string> DescribeActivityAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT string_agg(pid || ' ' || state || ' xact ' || coalesce((now() - xact_start)::text, '-') || ' wait ' || coalesce(wait_event, '-') || ': ' || left(query, 60), ' | ') FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? string.Empty;
    }
}

/// <summary>The store conformance suite against PostgreSQL with Redis carrying the wake-ups.</summary>
[Collection(SharedServers.Name)]
public sealed class PostgresRedisConformanceTests(PostgresFixture postgres, RedisFixture redis) : StoreConformanceTests
{
    private string? _connectionString;

    protected override async Task<IJobStore> CreateStoreAsync()
    {
        _connectionString = await postgres.CreateFreshDatabaseAsync();
        return await OpenAsync();
    }

    protected override async Task<IJobStore?> OpenSecondInstanceAsync() => await OpenAsync();

    protected override async Task<IJobStore?> CreateUnmigratedStoreAsync() => Open(await postgres.CreateFreshDatabaseAsync());

    private async Task<IJobStore> OpenAsync()
    {
        var store = Open(_connectionString!);
        await store.InitializeAsync();
        return store;
    }

    /// <summary>As <c>Scheduler.InitAsync</c> composes them with Redis: its status cache in front of the store, Redis its transport.</summary>
    private IJobStore Open(string connectionString)
    {
        var transport = RedisCoordination.Connect(redis.Endpoint);
        return new StatusCachedJobStore(new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }, transport), transport);
    }
}
