using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// A job list with a search term runs under <see cref="PostgresConfig.SearchTimeout"/>: a term that matches few jobs reads
/// every row, and the server stops it at the timeout (<see cref="SearchTimeoutException"/>) instead of running for seconds.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class SearchTimeoutTests(PostgresFixture postgres)
{
    private const string Flow = "searched";

    /// <summary>200,000 done jobs of another flow, none with the rare term: a search for it reads them all.</summary>
    private const string SeedRows = """
        INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at, input)
        SELECT md5(i::text)::uuid::text, 'bulk', 3, '{"state":"A"}'::jsonb, i, i, i,
          jsonb_build_object('customer', 'customer ' || i, 'note', repeat('lorem ipsum ', 4))
        FROM generate_series(1, 200000) AS i;
        ANALYZE envoy.jobs;
        SELECT 1
        """;

    [Fact]
    public async Task Search_ThatRunsPastTheTimeout_IsStoppedWithATypedError_AndAnIdSearchStillAnswers()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, SearchTimeout = TimeSpan.FromMilliseconds(5) });
        await store.InitializeAsync();
        var id = await store.CreateJobAsync(TestJobs.JobOf(Flow));
        await TestSql.ScalarAsync<int>(connectionString, SeedRows);

        var error = await Assert.ThrowsAsync<SearchTimeoutException>(() => store.ListJobsAsync(new JobQuery { Search = "zyzzyva" }));
        Assert.Equal("zyzzyva", error.Search);
        Assert.Equal(TimeSpan.FromMilliseconds(5), error.Timeout);
        Assert.Contains("zyzzyva", error.Message, StringComparison.Ordinal);

        // The timeout was the search's alone: the next calls (on the same pooled connections) run without it.
        Assert.Equal(200_001L, (await store.CountJobsAsync()).Values.Sum());
        Assert.Equal(5, (await store.ListJobsAsync(new JobQuery { Limit = 5 })).Count);
        await using var scheduler = new Scheduler(store, new SchedulerConfig(), TimeProvider.System, ownsStore: false);
        Assert.Equal([id], (await scheduler.ListJobsAsync(new JobQuery { Search = id })).Select(j => j.Id));
    }

    [Fact]
    public async Task Search_WithNoTimeout_ReadsEveryRow()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, SearchTimeout = TimeSpan.Zero });
        await store.InitializeAsync();
        await TestSql.ScalarAsync<int>(connectionString, SeedRows);

        Assert.Empty(await store.ListJobsAsync(new JobQuery { Search = "zyzzyva" }));
    }
}
