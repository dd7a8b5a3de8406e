using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// The schema a fresh store creates, and the migrations that bring an older one to it while keeping its jobs: version 2 leaves
/// 30% of each <c>envoy.jobs</c> page free (heap-only updates), version 3 indexes only the idempotency keys that are set and drops
/// the history's unused primary key index, version 4 gives the database its store identity (the Redis namespace), version 5
/// counts each job's takeovers since its last commit, version 6 keeps each job's scheduled input and indexes jobs by flow and age,
/// version 7 adds the store-wide event feed's listeners, version 8 counts every retry of a job (from the history of older jobs),
/// version 9 keeps the trace context a job was scheduled in (telemetry).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class SchemaMigrationTests(PostgresFixture postgres)
{
    private const string Flow = "migrated";

    /// <summary>Undoes migrations 8 and the timers' (9), as a version 7 Envoy left the schema.</summary>
    private const string BackToVersionSeven = """
        ALTER TABLE envoy.jobs DROP COLUMN trace_parent;
        ALTER TABLE envoy.waits DROP COLUMN due_at;
        ALTER TABLE envoy.jobs DROP COLUMN total_retries;
        DELETE FROM envoy.schema_version WHERE version > 7;
        SELECT 1
        """;

    /// <summary>Undoes migrations 8, 7 and 6, as a version 5 Envoy left the schema.</summary>
    private const string BackToVersionFive = """
        ALTER TABLE envoy.jobs DROP COLUMN trace_parent;
        ALTER TABLE envoy.waits DROP COLUMN due_at;
        ALTER TABLE envoy.jobs DROP COLUMN total_retries;
        DROP TABLE envoy.event_listeners;
        DROP INDEX envoy.jobs_flow_status_created;
        ALTER TABLE envoy.jobs DROP COLUMN input;
        DELETE FROM envoy.schema_version WHERE version > 5;
        SELECT 1
        """;

    /// <summary>Undoes migrations 8, 7, 6, 5, 4, 3 and 2, as a version 1 Envoy left the schema.</summary>
    private const string BackToVersionOne = """
        ALTER TABLE envoy.jobs DROP COLUMN trace_parent;
        ALTER TABLE envoy.waits DROP COLUMN due_at;
        ALTER TABLE envoy.jobs DROP COLUMN total_retries;
        DROP TABLE envoy.event_listeners;
        DROP INDEX envoy.jobs_flow_status_created;
        ALTER TABLE envoy.jobs DROP COLUMN input;
        DROP TABLE envoy.store_identity;
        ALTER TABLE envoy.jobs DROP COLUMN takeovers;
        ALTER TABLE envoy.job_events ADD PRIMARY KEY (seq);
        ALTER TABLE envoy.jobs ADD CONSTRAINT jobs_idempotency_key_key UNIQUE (idempotency_key);
        DROP INDEX envoy.jobs_idempotency;
        ALTER TABLE envoy.jobs RESET (fillfactor);
        DELETE FROM envoy.schema_version WHERE version > 1;
        SELECT 1
        """;

    private const string JobsIndexes = "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'envoy' AND tablename = 'jobs'";
    private const string HistoryIndexes = "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'envoy' AND tablename = 'job_events'";
    private const string IdempotencyIndex = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'envoy' AND indexname = 'jobs_idempotency'";
    private const string TakeoversColumn = """
        SELECT format('%s%s DEFAULT %s', data_type, CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END, column_default)
        FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'jobs' AND column_name = 'takeovers'
        """;

    private const string FlowVersionColumn = """
        SELECT format('%s%s DEFAULT %s', data_type, CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END, column_default)
        FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'jobs' AND column_name = 'flow_version'
        """;

    private const string TotalRetriesColumn = """
        SELECT format('%s%s DEFAULT %s', data_type, CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END, column_default)
        FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'jobs' AND column_name = 'total_retries'
        """;

    private const string TraceParentColumn =
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'jobs' AND column_name = 'trace_parent' AND is_nullable = 'YES'";

    private const string InputColumn =
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'jobs' AND column_name = 'input' AND is_nullable = 'YES'";

    private const string EventListenersColumns = """
        SELECT string_agg(column_name || ' ' || data_type, ',' ORDER BY ordinal_position)
        FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'event_listeners'
        """;

    private const string JobsOptions = "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'envoy.jobs'::regclass";

    [Fact]
    public async Task Initialize_CreatesTheCurrentSchema()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
    }

    [Fact]
    public async Task Initialize_MigratesAVersionOneSchema_KeepingItsJobs_AndIdempotencyKeysStillUnique()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        string keyed;
        string unkeyed;
        await using (var old = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await old.InitializeAsync();
            await TestSql.ScalarAsync<int>(connectionString, BackToVersionOne);
            Assert.Contains("jobs_idempotency_key_key", await TestSql.ScalarAsync<string>(connectionString, JobsIndexes), StringComparison.Ordinal);

            // Inserted as a version 1 Envoy did (today's insert writes columns that schema does not have).
            keyed = await InsertAsOlderEnvoyAsync(connectionString, "'order-1'");
            unkeyed = await InsertAsOlderEnvoyAsync(connectionString, "NULL");
        }

        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
        Assert.Equal(JobStatus.Pending, (await store.GetJobAsync(keyed))!.Status);
        Assert.Equal(JobStatus.Pending, (await store.GetJobAsync(unkeyed))!.Status);
        Assert.Equal(0, (await store.GetJobAsync(keyed))!.Takeovers);
        Assert.Equal(keyed, await store.CreateJobAsync(TestJobs.JobOf(Flow) with { IdempotencyKey = "order-1" }));
        var second = await store.CreateJobAsync(TestJobs.JobOf(Flow));
        Assert.NotEqual(unkeyed, second);
        Assert.Equal(3, await TestSql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM envoy.jobs"));
        Assert.Equal(1, await TestSql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM envoy.jobs WHERE idempotency_key IS NOT NULL"));
    }

    [Fact]
    public async Task Initialize_MigratesAVersionFiveSchema_OldJobsHaveNoInput_NewOnesKeepTheirs()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        string old;
        await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await store.InitializeAsync();
            await TestSql.ScalarAsync<int>(connectionString, BackToVersionFive);
            old = await InsertAsOlderEnvoyAsync(connectionString, "NULL");
        }

        await using var migrated = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await migrated.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
        Assert.True(await TestSql.ScalarAsync<bool>(connectionString, $"SELECT input IS NULL FROM envoy.jobs WHERE id = '{old}'"));
        var id = await migrated.CreateJobAsync(TestJobs.JobOf(Flow) with { InputJson = """{"order":"A-1"}""" });
        Assert.Equal("""{"order": "A-1"}""", (await migrated.GetJobAsync(id))!.InputJson);
        Assert.Equal([id], (await migrated.ListJobsAsync(new JobQuery { Flow = Flow, Search = "a-1" })).Select(j => j.Id));
    }

    [Fact]
    public async Task Initialize_MigratesAVersionSevenSchema_CountingTheRetriesOfOldJobsFromTheirHistory()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        string retried, budgetOnly, failedOnce, untouched;
        await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await store.InitializeAsync();
            await TestSql.ScalarAsync<int>(connectionString, BackToVersionSeven);
            retried = await InsertAsOlderEnvoyAsync(connectionString, "NULL");
            budgetOnly = await InsertAsOlderEnvoyAsync(connectionString, "NULL");
            failedOnce = await InsertAsOlderEnvoyAsync(connectionString, "NULL");
            untouched = await InsertAsOlderEnvoyAsync(connectionString, "NULL");

            // Two automatic retries and one by hand (budget reset) in a history; a stored budget with no history left; a step
            // that failed the job (not a retry).
            await TestSql.ScalarAsync<int>(connectionString, $"""
                INSERT INTO envoy.job_events (job_id, at, kind, from_status, to_status) VALUES
                  ('{retried}', 1, 3, 1, 0), ('{retried}', 2, 3, 1, 0), ('{retried}', 3, 3, 1, 4), ('{retried}', 4, 8, 4, 0),
                  ('{failedOnce}', 1, 3, 1, 4);
                UPDATE envoy.jobs SET retries = 2 WHERE id = '{budgetOnly}';
                SELECT 1
                """);
        }

        await using var migrated = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await migrated.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
        Assert.Equal(3, (await migrated.GetJobAsync(retried))!.TotalRetries);
        Assert.Equal(2, (await migrated.GetJobAsync(budgetOnly))!.TotalRetries);
        Assert.Equal(0, (await migrated.GetJobAsync(failedOnce))!.TotalRetries);
        Assert.Equal(0, (await migrated.GetJobAsync(untouched))!.TotalRetries);
    }

    [Fact]
    public async Task Initialize_KeepsAFlowIndexBuiltConcurrentlyBeforeTheMigration()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using (var old = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await old.InitializeAsync();
            await TestSql.ScalarAsync<int>(connectionString, BackToVersionFive);
        }

        // As the migration's documentation advises for a large table.
        await TestSql.ScalarAsync<int>(connectionString, "CREATE INDEX jobs_flow_status_created ON envoy.jobs (flow, status, created_at DESC, seq DESC); SELECT 1");
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
    }

    [Fact]
    public async Task Initialize_KeepsAnIdempotencyIndexBuiltBeforeTheMigration()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using (var old = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await old.InitializeAsync();
            await TestSql.ScalarAsync<int>(connectionString, BackToVersionOne);
        }

        // As storage.md advises for a large table (CONCURRENTLY cannot run in a multi-statement call; the index is the same).
        await TestSql.ScalarAsync<int>(connectionString, "CREATE UNIQUE INDEX jobs_idempotency ON envoy.jobs (idempotency_key) WHERE idempotency_key IS NOT NULL; SELECT 1");
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();

        await AssertCurrentSchemaAsync(connectionString);
    }

    /// <summary>Inserts a pending job with the columns of schema version 1 only; returns its id.</summary>
    private static Task<string> InsertAsOlderEnvoyAsync(string connectionString, string keySql)
    {
        var id = Guid.NewGuid().ToString();
        var context = new StateContext("A") { JobId = id }.Serialize();
        return TestSql.ScalarAsync<string>(
            connectionString,
            $"INSERT INTO envoy.jobs (id, flow, status, context, run_at, created_at, updated_at, idempotency_key) VALUES ('{id}', '{Flow}', 0, '{context}', 0, 0, 0, {keySql}) RETURNING id");
    }

    private static async Task AssertCurrentSchemaAsync(string connectionString)
    {
        await using (var latest = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            Assert.Equal(latest.LatestSchemaVersion, await TestSql.ScalarAsync<int>(connectionString, "SELECT max(version) FROM envoy.schema_version"));
        }

        Assert.Equal("text NOT NULL DEFAULT ''::text", await TestSql.ScalarAsync<string>(connectionString, FlowVersionColumn));
        Assert.Equal("text", await TestSql.ScalarAsync<string>(connectionString, TraceParentColumn));
        Assert.Equal("bigint", await TestSql.ScalarAsync<string>(connectionString, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'envoy' AND table_name = 'waits' AND column_name = 'due_at'"));
        Assert.Equal("integer NOT NULL DEFAULT 0", await TestSql.ScalarAsync<string>(connectionString, TotalRetriesColumn));
        Assert.Equal("jsonb", await TestSql.ScalarAsync<string>(connectionString, InputColumn));
        Assert.Equal("id text,until_ms bigint", await TestSql.ScalarAsync<string>(connectionString, EventListenersColumns));
        Assert.Equal(32, (await TestSql.ScalarAsync<string>(connectionString, "SELECT id FROM envoy.store_identity")).Length);
        Assert.Equal(1L, await TestSql.ScalarAsync<long>(connectionString, "SELECT count(*) FROM envoy.store_identity"));
        Assert.Equal("integer NOT NULL DEFAULT 0", await TestSql.ScalarAsync<string>(connectionString, TakeoversColumn));
        Assert.Equal("fillfactor=70", await TestSql.ScalarAsync<string>(connectionString, JobsOptions));
        Assert.Equal(
            "jobs_created,jobs_due,jobs_finished,jobs_flow_status_created,jobs_idempotency,jobs_leases,jobs_limited_parked,jobs_limited_ready,jobs_limited_running,jobs_parent,jobs_pkey,jobs_ready,jobs_status_created",
            await TestSql.ScalarAsync<string>(connectionString, JobsIndexes));
        Assert.EndsWith("(idempotency_key) WHERE (idempotency_key IS NOT NULL)", await TestSql.ScalarAsync<string>(connectionString, IdempotencyIndex), StringComparison.Ordinal);
        Assert.Equal("job_events_job", await TestSql.ScalarAsync<string>(connectionString, HistoryIndexes));
        Assert.EndsWith(
            "(finished_at) WHERE (status >= 3)",
            await TestSql.ScalarAsync<string>(connectionString, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'envoy' AND indexname = 'jobs_finished'"),
            StringComparison.Ordinal);
        Assert.EndsWith("(job_id)", await TestSql.ScalarAsync<string>(connectionString, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'envoy' AND indexname = 'escalations_job'"), StringComparison.Ordinal);
    }
}
