using System.Globalization;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite.Tests;

/// <summary>What only the SQLite store promises: one durable file, WAL, versioned schema, clear errors.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    /// <summary>Undoes migration 4 (the count of every retry) and every later one, as a version 3 Envoy left the file.</summary>
    private const string UndoMigration4 = UndoLaterMigrations + "ALTER TABLE jobs DROP COLUMN total_retries; ";

    /// <summary>
    /// Undoes the migrations after 4 that a version 3 file cannot have: the recurring, workers and rate-limit tables stay
    /// (created if missing, so harmless), the columns go (flow versions, issue 17: <c>jobs.flow_version</c>; telemetry, issue 18:
    /// <c>jobs.trace_parent</c>; timers, issue 17: <c>waits.due_at</c> with its index; concurrency limits, issue 18: the key and
    /// limit with their indexes, <c>jobs_ready</c> back to its first form; rate limits, issue 18: <c>jobs.waiting_reason</c>;
    /// limited jobs in claim order, issue 18: <c>jobs.parked</c> with <c>jobs_limited_parked</c>).
    /// </summary>
    private const string UndoLaterMigrations =
        "ALTER TABLE jobs DROP COLUMN flow_version; ALTER TABLE jobs DROP COLUMN trace_parent; DROP INDEX waits_timers; ALTER TABLE waits DROP COLUMN due_at; " +
        "DROP INDEX jobs_limited_ready; DROP INDEX jobs_limited_parked; ALTER TABLE jobs DROP COLUMN parked; DROP INDEX jobs_limited_running; DROP INDEX jobs_ready; " +
        "CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, seq) WHERE status = 0; " +
        "ALTER TABLE jobs DROP COLUMN concurrency_key; ALTER TABLE jobs DROP COLUMN concurrency_limit; ALTER TABLE jobs DROP COLUMN waiting_reason; ";


    /// <summary>Undoes migrations 4 and 3 (the scheduled input and the flow index), as a version 2 Envoy left the file.</summary>
    private const string UndoMigration3 = UndoMigration4 + "DROP INDEX jobs_flow_created; ALTER TABLE jobs DROP COLUMN input; ";

    private const long T0 = 1_750_000_000_000;
    private readonly TempDirectory _directory = new();

    private string DatabasePath => Path.Combine(_directory.Path, "envoy.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }

    /// <summary>Every schema version of this Envoy, "1,2,...,latest" (from the store's <c>LatestSchemaVersion</c>).</summary>
    private static async Task<string> AllSchemaVersionsAsync()
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = Path.Combine(Path.GetTempPath(), "envoy-never-opened-" + Guid.NewGuid().ToString("N") + ".db") });
        await using (store)
        {
            return string.Join(",", Enumerable.Range(1, store.LatestSchemaVersion));
        }
    }

    [Fact]
    public async Task Reopen_File_KeepsJobsWaitsEscalationsAndHistory()
    {
        const string flow = "durable";
        string pendingId, blockedId;
        var escalationId = "w_" + Guid.NewGuid().ToString("N");
        await using (var store = await OpenAsync())
        {
            pendingId = await store.CreateJobAsync(Job(flow, key: "once"));
            blockedId = await store.CreateJobAsync(Job(flow));
            var claimed = (await store.ClaimAsync(new ClaimRequest("w1", 1, T0 + 10, T0 + 30_000, [flow])))[0];
            Assert.Equal(pendingId, claimed.Id);
            var second = (await store.ClaimAsync(new ClaimRequest("w1", 1, T0 + 10, T0 + 30_000, [flow])))[0];
            Assert.Equal(blockedId, second.Id);
            Assert.True((await store.CommitAsync([new StepCommit
            {
                JobId = blockedId,
                Owner = "w1",
                ExpectedVersion = second.Version,
                Status = JobStatus.Blocking,
                ContextJson = Context(blockedId, "B"),
                NowMs = T0 + 20,
                Waits = [new NewWait("hook", "webhook"), new NewWait(escalationId, WaitTypes.Escalation)],
                Escalations = [new NewEscalation(escalationId, "ann", "ok?", "[]")],
                Events = [new JobEvent(blockedId, DateTimeOffset.FromUnixTimeMilliseconds(T0 + 20), JobEventKind.StepCompleted, "A", 1, JobStatus.Running, JobStatus.Blocking)],
            }]))[0]);
            Assert.Equal(StoreOutcome.Ok, (await store.ResolveWaitAsync(new WaitResolution(blockedId, "hook", WaitResolutionKind.Success, "5", null, T0 + 30))).Outcome);
        }

        SqliteConnection.ClearAllPools();
        await using (var reopened = await OpenAsync())
        {
            var running = await reopened.GetJobAsync(pendingId);
            Assert.Equal(JobStatus.Running, running!.Status);
            var blocked = await reopened.GetJobAsync(blockedId);
            Assert.Equal(JobStatus.Blocking, blocked!.Status);
            Assert.Equal("B", StateContext.Deserialize(blocked.ContextJson).State);
            Assert.Equal("5", Assert.Single(blocked.Resolutions).OutputJson);
            Assert.Equal(EscalationStatus.Pending, (await reopened.GetEscalationAsync(escalationId))!.Status);
            Assert.Equal(
                [JobEventKind.Scheduled, JobEventKind.Claimed, JobEventKind.StepCompleted, JobEventKind.WaitResolved],
                (await reopened.GetHistoryAsync(blockedId))!.Select(e => e.Kind));
            Assert.Equal(pendingId, await reopened.CreateJobAsync(Job(flow, key: "once")));

            // The running job's lease outlives the process that held it; after it expires another worker takes it over.
            var takeover = await reopened.ClaimAsync(new ClaimRequest("w2", 10, T0 + 60_000, T0 + 90_000, [flow]));
            Assert.Equal(pendingId, Assert.Single(takeover).Id);
            Assert.Equal(StoreOutcome.Ok, (await reopened.ReplyToEscalationAsync(new EscalationReply(escalationId, EscalationStatus.Approved, "{}", null, T0 + 70_000))).Outcome);
            Assert.Equal(JobStatus.Pending, (await reopened.GetJobAsync(blockedId))!.Status);
        }
    }

    [Fact]
    public async Task Initialize_NewFile_UsesWalAndRecordsEachSchemaVersion()
    {
        await using (await OpenAsync())
        {
        }

        await using var connection = await OpenRawAsync();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(await AllSchemaVersionsAsync(), Scalar(connection, "SELECT group_concat(version) FROM envoy_schema"));
    }

    [Fact]
    public async Task Initialize_SeveralStoresAtOnce_MigrateOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new SqliteJobStore(new SqliteConfig { Path = DatabasePath })).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync())));

            var id = await stores[0].CreateJobAsync(Job("f"));
            Assert.All(await Task.WhenAll(stores.Select(s => s.GetJobAsync(id))), j => Assert.Equal(JobStatus.Pending, j!.Status));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        await using var connection = await OpenRawAsync();
        Assert.Equal(await AllSchemaVersionsAsync(), Scalar(connection, "SELECT group_concat(version) FROM envoy_schema"));
    }

    [Fact]
    public async Task Initialize_VersionOneFile_GainsTheTakeoverCount_KeepingItsJobs()
    {
        string id;
        await using (var old = await OpenAsync())
        {
            id = await old.CreateJobAsync(Job("f"));
        }

        await using (var connection = await OpenRawAsync())
        {
            Execute(connection, UndoMigration3 + "ALTER TABLE jobs DROP COLUMN takeovers; DELETE FROM envoy_schema WHERE version > 1;");
        }

        await using (var store = await OpenAsync())
        {
            var job = await store.GetJobAsync(id);
            Assert.Equal(JobStatus.Pending, job!.Status);
            Assert.Equal(0, job.Takeovers);
        }

        await using var check = await OpenRawAsync();
        Assert.Equal(await AllSchemaVersionsAsync(), Scalar(check, "SELECT group_concat(version) FROM envoy_schema"));
    }

    [Fact]
    public async Task Initialize_VersionTwoFile_GainsTheScheduledInput_OldJobsHaveNone()
    {
        string old;
        await using (var store = await OpenAsync())
        {
            old = await store.CreateJobAsync(Job("f"));
        }

        await using (var connection = await OpenRawAsync())
        {
            Execute(connection, UndoMigration3 + "DELETE FROM envoy_schema WHERE version > 2;");
        }

        await using (var store = await OpenAsync())
        {
            Assert.Null((await store.GetJobAsync(old))!.InputJson);
            var id = await store.CreateJobAsync(Job("f") with { InputJson = """{"a":1}""" });
            Assert.Equal("""{"a":1}""", (await store.GetJobAsync(id))!.InputJson);
            Assert.Equal([id], (await store.ListJobsAsync(new JobQuery { Flow = "f", Search = "\"a\"" })).Select(j => j.Id));
        }

        await using var check = await OpenRawAsync();
        Assert.Equal(await AllSchemaVersionsAsync(), Scalar(check, "SELECT group_concat(version) FROM envoy_schema"));
        Assert.Equal("1", Scalar(check, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'jobs_flow_created'"));
    }

    [Fact]
    public async Task Initialize_VersionThreeFile_CountsTheRetriesOfOldJobsFromTheirHistory()
    {
        string retried, budgetOnly, failedOnce, untouched;
        await using (var store = await OpenAsync())
        {
            retried = await store.CreateJobAsync(Job("f"));
            budgetOnly = await store.CreateJobAsync(Job("f"));
            failedOnce = await store.CreateJobAsync(Job("f"));
            untouched = await store.CreateJobAsync(Job("f"));
        }

        await using (var connection = await OpenRawAsync())
        {
            // As a version 3 Envoy left them: two automatic retries and one by hand (budget reset) in a history; a stored budget
            // with no history left; a step that failed the job (not a retry).
            Execute(connection, UndoMigration4 + "DELETE FROM envoy_schema WHERE version > 3;");
            Execute(connection, $"""
                INSERT INTO job_events (job_id, at, kind, from_status, to_status) VALUES
                  ('{retried}', 1, 3, 1, 0), ('{retried}', 2, 3, 1, 0), ('{retried}', 3, 3, 1, 4), ('{retried}', 4, 8, 4, 0),
                  ('{failedOnce}', 1, 3, 1, 4);
                UPDATE jobs SET retries = 2 WHERE id = '{budgetOnly}';
                """);
        }

        await using (var store = await OpenAsync())
        {
            Assert.Equal(3, (await store.GetJobAsync(retried))!.TotalRetries);
            Assert.Equal(2, (await store.GetJobAsync(budgetOnly))!.TotalRetries);
            Assert.Equal(0, (await store.GetJobAsync(failedOnce))!.TotalRetries);
            Assert.Equal(0, (await store.GetJobAsync(untouched))!.TotalRetries);
        }

        await using var check = await OpenRawAsync();
        Assert.Equal(await AllSchemaVersionsAsync(), Scalar(check, "SELECT group_concat(version) FROM envoy_schema"));
    }

    [Fact]
    public async Task Initialize_SchemaNewerThanThisEnvoy_IsAClearErrorAndChangesNothing()
    {
        await using (var connection = await OpenRawAsync())
        {
            Execute(connection, "CREATE TABLE envoy_schema (version INTEGER NOT NULL); INSERT INTO envoy_schema (version) VALUES (99);");
        }

        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await using (store)
        {
            var error = await Assert.ThrowsAsync<EnvoyException>(() => store.InitializeAsync());

            Assert.Contains("99", error.Message, StringComparison.Ordinal);
            Assert.Contains(DatabasePath, error.Message, StringComparison.Ordinal);
        }

        await using var check = await OpenRawAsync();
        Assert.Equal("99", Scalar(check, "SELECT group_concat(version) FROM envoy_schema"));
        Assert.Equal("0", Scalar(check, "SELECT count(*) FROM sqlite_master WHERE name = 'jobs'"));
    }

    [Fact]
    public async Task Initialize_UnopenablePath_IsAClearErrorNamingTheFile()
    {
        var path = Path.Combine(_directory.Path, "missing-folder", "envoy.db");
        var store = new SqliteJobStore(new SqliteConfig { Path = path });
        await using (store)
        {
            var error = await Assert.ThrowsAsync<EnvoyException>(() => store.InitializeAsync());

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Description_NamesTheFile()
    {
        await using var store = await OpenAsync();
        await using var memory = new SqliteJobStore(new SqliteConfig { Path = ":memory:" });

        Assert.Equal("sqlite:" + DatabasePath, store.Description);
        Assert.Contains(":memory:", memory.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryStores_AreSeparate()
    {
        await using var first = new SqliteJobStore(new SqliteConfig { Path = ":memory:" });
        await using var second = new SqliteJobStore(new SqliteConfig { Path = ":memory:" });
        await first.InitializeAsync();
        await second.InitializeAsync();

        var id = await first.CreateJobAsync(Job("f"));

        Assert.NotNull(await first.GetJobAsync(id));
        Assert.Null(await second.GetJobAsync(id));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_SeeEachOthersCommitsAndSignals()
    {
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        var finished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = second.Signals.Subscribe(s =>
        {
            if (s.Kind == JobSignalKind.Finished)
            {
                finished.TrySetResult(s.JobId!);
            }
        });
        var id = await first.CreateJobAsync(Job("f"));

        var claimed = Assert.Single(await second.ClaimAsync(new ClaimRequest("w2", 1, T0, T0 + 30_000, ["f"])));
        Assert.Equal(StoreOutcome.Ok, (await first.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 1)).Outcome);

        Assert.Equal(id, await finished.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(JobStatus.Cancelled, (await second.GetJobAsync(id))!.Status);
        Assert.False((await second.CommitAsync([new StepCommit { JobId = id, Owner = "w2", ExpectedVersion = claimed.Version, Status = JobStatus.Done, ContextJson = claimed.ContextJson, NowMs = T0 + 2 }]))[0]);
    }

    [Fact]
    public async Task CommitsOfAnotherProcess_AreNoticedThroughTheFile()
    {
        await using var store = await OpenAsync();

        // A second path to the same file gets its own in-process signal hub, so it stands for another process.
        var link = Path.Combine(_directory.Path, "link.db");
        File.CreateSymbolicLink(link, DatabasePath);
        await using var otherProcess = new SqliteJobStore(new SqliteConfig { Path = link });
        await otherProcess.InitializeAsync();
        var sameProcess = new List<JobSignal>();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = store.Signals.Subscribe(s =>
        {
            if (s.Kind == JobSignalKind.Changed)
            {
                changed.TrySetResult();
            }
        });
        using var own = otherProcess.Signals.Subscribe(s => { lock (sameProcess) { sameProcess.Add(s); } });

        var id = await otherProcess.CreateJobAsync(Job("f"));

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JobStatus.Pending, (await store.GetJobAsync(id))!.Status);
        Assert.NotSame(store.Signals, otherProcess.Signals);
        lock (sameProcess)
        {
            Assert.Contains(sameProcess, s => s.Kind == JobSignalKind.Ready);
        }
    }

    private async Task<SqliteJobStore> OpenAsync()
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    private async Task<SqliteConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

#pragma warning disable CA2100 // Constant SQL written by these tests.
    private static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

#pragma warning restore CA2100

    private static string Context(string id, string state) => new StateContext(state) { JobId = id }.Serialize();

    private static NewJob Job(string flow, string? key = null)
    {
        var id = Guid.NewGuid().ToString();
        return new NewJob(id, flow, Context(id, "A"), 0, T0, T0, null, null, key);
    }
}
