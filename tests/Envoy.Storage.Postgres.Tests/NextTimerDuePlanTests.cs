using Envoy.TestServers;
using Npgsql;

// The SQL is the test's own constant text.
#pragma warning disable CA2100

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// The timer loop asks for the next due timer on every pass. With statistics taken before a burst of sleepers was scheduled
/// (few pending timers as far as the planner knows), PostgreSQL would read every pending timer and sort them for it, on every
/// pass (measured: 169 ms with 50,000 pending timers): the store must walk <c>waits_timers</c> in order and stop at the first.
/// Counted with the server's own index statistics (entries read from <c>waits_timers</c>).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class NextTimerDuePlanTests(PostgresFixture postgres)
{
    private const int Sleepers = 20_000;

    [Fact]
    public async Task NextTimerDueAt_WithStaleStatistics_ReadsTheFirstTimers_NotEveryPendingOne()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await using (store)
        {
            await store.InitializeAsync();
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // Statistics of the empty tables, kept (no autovacuum analyze), then a burst of sleepers written.
        await ExecuteAsync(
            connection,
            $$"""
            ANALYZE envoy.jobs; ANALYZE envoy.waits;
            ALTER TABLE envoy.jobs SET (autovacuum_enabled = false); ALTER TABLE envoy.waits SET (autovacuum_enabled = false);
            INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at) SELECT 's-' || g, 'sleepy', 2, '{}'::jsonb, 0, 0, 0 FROM generate_series(1, {{Sleepers}}) g;
            INSERT INTO envoy.waits (job_id, wait_id, type, due_at) SELECT 's-' || g, 'nap', 'timer', 1000000 + g FROM generate_series(1, {{Sleepers}}) g;
            """);
        var (scansBefore, readBefore) = await IndexStatsAsync(connection);

        store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await using (store)
        {
            await store.InitializeAsync();
            Assert.Equal(1_000_001, await store.NextTimerDueAtAsync());
        }

        // The store's connections are closed: their backends report their statistics as they exit.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var (scans, read) = await IndexStatsAsync(connection);
        while (scans == scansBefore && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Yield();
            (scans, read) = await IndexStatsAsync(connection);
        }

        Assert.True(scans > scansBefore, "The store's scan of waits_timers was never reported.");
        Assert.InRange(read - readBefore, 1, 100);
    }

    private static async Task<(long Scans, long Read)> IndexStatsAsync(NpgsqlConnection connection)
    {
        await ExecuteAsync(connection, "SELECT pg_stat_clear_snapshot()");
        await using var command = new NpgsqlCommand("SELECT idx_scan, idx_tup_read FROM pg_stat_user_indexes WHERE schemaname = 'envoy' AND indexrelname = 'waits_timers'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
