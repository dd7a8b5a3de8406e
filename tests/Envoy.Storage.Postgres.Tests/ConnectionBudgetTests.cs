using Envoy.TestServers;
using Npgsql;

// The SQL is the tests' own constant text.
#pragma warning disable CA2100

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// The connection budget (storage.md) on a server of its own with PostgreSQL's default <c>max_connections</c> (100): two
/// schedulers (as two processes: a store each) with callers awaiting 200 jobs each finish them all, the server never refuses a
/// connection, and neither store ever holds more than its pool's bound.
/// </summary>
public sealed class ConnectionBudgetTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int PerScheduler = 200;
    private const string TooManyClients = "too many clients";
    private const string Flow = "hook";

    [Fact]
    public async Task TwoSchedulers_EachAwaiting200Jobs_FinishThemAll_WithinTheirPools_AndTheServerNeverRunsOut()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var database = await postgres.CreateFreshDatabaseAsync(ct);
        Assert.Equal("100", await TestSql.ScalarAsync<string>(database, "show max_connections"));
        await using var first = Scheduler(database, "budget-first");
        await using var second = Scheduler(database, "budget-second");
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        var peaks = new Dictionary<string, int>(StringComparer.Ordinal);
        using var stopSampling = new CancellationTokenSource();
        var sampling = SamplePeaksAsync(database, peaks, stopSampling.Token);

        var ids = await Task.WhenAll(Enumerable.Range(0, 2 * PerScheduler).Select(i => (i % 2 == 0 ? first : second).ScheduleAsync(Flow, i, cancellationToken: ct)));
        var waits = ids.Select((id, i) => (i % 2 == 0 ? first : second).WaitForJobAsync(id, TimeSpan.FromMinutes(3), ct)).ToList();
        await UntilAsync(async () => (await first.ListJobsAsync(new JobQuery { Flow = Flow, Status = JobStatus.Blocking, Limit = 1000 }, ct)).Count == ids.Length, ct);
        await Task.WhenAll(ids.Select((id, i) => (i % 2 == 0 ? second : first).ResolveBlockingJobAsync(id, "go", id, ct)));
        var jobs = await Task.WhenAll(waits);

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.Equal(ids, jobs.Select(j => j.Context.Output<string>()));
        var log = postgres.Server.RecentOutput();
        Assert.False(log.Contains(TooManyClients, StringComparison.Ordinal), $"The server refused connections: {log}");
        await stopSampling.CancelAsync();
        await sampling;
        Assert.InRange(peaks.GetValueOrDefault("budget-first"), 1, PostgresConfig.DefaultMaxPoolSize);
        Assert.InRange(peaks.GetValueOrDefault("budget-second"), 1, PostgresConfig.DefaultMaxPoolSize);
    }

    private static Scheduler Scheduler(string database, string name)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(database) { ApplicationName = name }.ConnectionString;
        var scheduler = new Scheduler(
            new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }),
            new SchedulerConfig { Concurrency = 8, PollInterval = TimeSpan.FromMilliseconds(100) });
        return scheduler.AddFlow(Flow, new StateFlow(
        [
            new State("Wait")
            {
                OnEnter = async ctx => ctx.WaitFor(new WaitFor("go", "external")),
                OnState = async ctx => ctx.Output(ctx.GetWait("go")!.Output!.GetValue<string>()),
            },
        ]));
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(20, ct);
        }
    }

    /// <summary>Samples, on a connection of its own, the most connections each application name held at once, until cancelled.</summary>
    private static async Task SamplePeaksAsync(string database, Dictionary<string, int> peaks, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        while (!ct.IsCancellationRequested)
        {
            await using (var command = new NpgsqlCommand("SELECT application_name, count(*)::int FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1", connection))
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    var name = reader.GetString(0);
                    peaks[name] = Math.Max(peaks.GetValueOrDefault(name), reader.GetInt32(1));
                }
            }

            try
            {
                await Task.Delay(10, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>A server with only ten connections, so a test can take all of them.</summary>
public sealed class FewConnectionsPostgresFixture : PostgresFixture
{
    /// <inheritdoc />
    protected override PostgresServerOptions CreateOptions() => new() { MaxConnections = 10 };
}

/// <summary>
/// A server that refuses connections for a while (<c>53300 too many clients</c>) slows Envoy down and fails nothing that could
/// be retried: reads, writes and callers waiting for jobs complete once connections free up.
/// </summary>
public sealed class ConnectionRefusalTests(FewConnectionsPostgresFixture postgres) : IClassFixture<FewConnectionsPostgresFixture>
{
    private const string TooManyClients = "too many clients";

    [Fact]
    public async Task AServerOutOfConnections_DelaysReadsWritesAndWaits_UntilConnectionsFreeUp_WithoutFailingThem()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var database = await postgres.CreateFreshDatabaseAsync(ct);
        var name = "refused-" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new NpgsqlConnectionStringBuilder(database) { ApplicationName = name, ConnectionIdleLifetime = 1, ConnectionPruningInterval = 1 }.ConnectionString;
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, Listen = false });
        await using var scheduler = new Scheduler(store, new SchedulerConfig { PollInterval = TimeSpan.FromMilliseconds(100) }, ownsStore: false);
        scheduler.AddFlow("idle", new StateFlow([new State("A") { OnState = async ctx => ctx }]));
        var finished = await scheduler.ScheduleAsync("idle", cancellationToken: ct);
        await scheduler.CancelJobAsync(finished, ct);
        var pending = await scheduler.ScheduleAsync("idle", cancellationToken: ct);

        // The store's pool closes its idle connections; then this test takes every connection the server has left.
        await UntilAsync(async () => await TestSql.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{name}'") == 0, ct);
        var held = await TakeEveryConnectionAsync(database, ct);
        try
        {
            var marker = "envoy-marker-" + Guid.NewGuid().ToString("N");
            await using (var raise = new NpgsqlCommand($"DO $$ BEGIN RAISE WARNING '{marker}'; END $$", held[0]))
            {
                await raise.ExecuteNonQueryAsync(ct);
            }

            var read = scheduler.GetJobAsync(finished, ct);
            var wait = scheduler.WaitForJobAsync(pending, TimeSpan.FromMinutes(1), ct);
            var cancel = scheduler.CancelJobAsync(pending, ct);
            // Refused again and again (each caller retries), or given up: a caller that failed has completed.
            await UntilAsync(() => Task.FromResult(RefusalsSince(marker) >= 6 || read.IsCompleted || wait.IsCompleted || cancel.IsCompleted), ct);

            Assert.False(read.IsCompleted, "The read should wait for a connection, not fail.");
            Assert.False(cancel.IsCompleted, "The cancel should wait for a connection, not fail.");
            Assert.False(wait.IsCompleted, "The wait should go on, not fail.");
            await ReleaseAsync(held);

            Assert.Equal(JobStatus.Cancelled, (await read.WaitAsync(ct)).Status);
            await cancel.WaitAsync(ct);
            Assert.Equal(JobStatus.Cancelled, (await wait.WaitAsync(ct)).Status);
        }
        finally
        {
            await ReleaseAsync(held);
        }
    }

    /// <summary>How many connections the server refused since it logged <paramref name="marker"/>.</summary>
    private int RefusalsSince(string marker)
    {
        var log = postgres.Server.RecentOutput();
        var at = log.IndexOf(marker, StringComparison.Ordinal);
        var count = 0;
        while (at >= 0 && (at = log.IndexOf(TooManyClients, at + 1, StringComparison.Ordinal)) > 0)
        {
            count++;
        }

        return count;
    }

    /// <summary>Opens connections until the server refuses one with 53300.</summary>
    private static async Task<List<NpgsqlConnection>> TakeEveryConnectionAsync(string database, CancellationToken ct)
    {
        var unpooled = new NpgsqlConnectionStringBuilder(database) { Pooling = false, ApplicationName = "hog" }.ConnectionString;
        var held = new List<NpgsqlConnection>();
        while (held.Count < 50)
        {
            var connection = new NpgsqlConnection(unpooled);
            try
            {
                await connection.OpenAsync(ct);
                held.Add(connection);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.TooManyConnections)
            {
                await connection.DisposeAsync();
                return held;
            }
        }

        await ReleaseAsync(held);
        throw new InvalidOperationException("The server accepted 50 connections; it should have only ten.");
    }

    private static async Task ReleaseAsync(List<NpgsqlConnection> held)
    {
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }

        held.Clear();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        while (!await condition())
        {
            await Task.Delay(20, ct);
        }
    }
}
