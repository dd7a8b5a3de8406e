using Envoy.Runtime.Storage;
using Envoy.Storage.Conformance;
using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>The retention soak test on PostgreSQL: job count and <c>pg_total_relation_size</c> of the tables level off.</summary>
[Collection(SharedServers.Name)]
public sealed class PostgresRetentionSoakTests(PostgresFixture postgres, ITestOutputHelper output) : RetentionSoakTests
{
    private string? _connectionString;

    [Fact]
    public Task Soak_SteadyLoadWithShortRetention_StoreSizeLevelsOff() => RunSoakAsync(output);

    /// <inheritdoc />
    protected override async Task<IJobStore> CreateStoreAsync()
    {
        _connectionString = await postgres.CreateFreshDatabaseAsync();
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = _connectionString });
        await store.InitializeAsync();
        return store;
    }

    private int _samples;

    /// <inheritdoc />
    /// <remarks>
    /// Every fifth sample first vacuums the tables, as autovacuum does on a production server (it visits a database once a
    /// minute at most, and the test servers hold many databases: within the test's 75 s it may never come): without a vacuum
    /// PostgreSQL never reuses the space of deleted rows, whatever deletes them.
    /// </remarks>
    protected override async Task<long?> StoreBytesAsync()
    {
        if (++_samples % 5 == 0)
        {
            await TestSql.ScalarAsync<object>(_connectionString!, "VACUUM envoy.jobs, envoy.job_events, envoy.waits, envoy.escalations");
        }

        return await TestSql.ScalarAsync<long>(
            _connectionString!,
            "SELECT pg_total_relation_size('envoy.jobs') + pg_total_relation_size('envoy.job_events') + pg_total_relation_size('envoy.waits') + pg_total_relation_size('envoy.escalations')");
    }
}
