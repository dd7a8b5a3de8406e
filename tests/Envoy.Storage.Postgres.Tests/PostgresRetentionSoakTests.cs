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

    /// <inheritdoc />
    protected override async Task<long?> StoreBytesAsync() => await TestSql.ScalarAsync<long>(
        _connectionString!,
        "SELECT pg_total_relation_size('envoy.jobs') + pg_total_relation_size('envoy.job_events') + pg_total_relation_size('envoy.waits') + pg_total_relation_size('envoy.escalations')");
}
