using System.Collections.Concurrent;
using System.Diagnostics;
using Envoy.Runtime.Storage;
using Envoy.TestServers;
using Npgsql;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// A batch of due timers costs PostgreSQL a few statements whatever its size (issue 17: with a few round trips per timer, firing
/// fell behind a 100,000-timer burst). Counted with Npgsql's own tracing (one activity per command or batch sent).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class TimerBatchStatementTests(PostgresFixture postgres)
{
    private const long T0 = TestJobs.T0;
    private const string Owner = "worker-1";
    private const string Flow = "sleepy";

    [Fact]
    public async Task ResolveDueTimers_ABatchOf200_SendsAFewStatements_NotSomePerTimer()
    {
        var (store, database) = await StoreWith200TimersAsync();
        await using var _ = store;
        var sent = new ConcurrentQueue<string>();
        using var listener = ListenToStatements(database, sent);

        var fired = await store.ResolveDueTimersAsync(T0 + 1_000, 500);

        Assert.Equal(200, fired);
        // The due timers (locking their jobs), their state, one batch of writes, the NOTIFY; BEGIN and COMMIT where traced.
        Assert.True(sent.Count is >= 3 and <= 8, $"{sent.Count} statements: {string.Join(" | ", sent)}");
        Assert.Equal(200, (await store.ListJobsAsync(new JobQuery { Flow = Flow, Status = JobStatus.Pending, Limit = 500 })).Count);
    }

    [Fact]
    public async Task ResolveDueTimers_StartingTheResumedJobs_AddsOneRoundTrip_NotSomePerJob()
    {
        var (store, database) = await StoreWith200TimersAsync();
        await using var _ = store;
        var sent = new ConcurrentQueue<string>();
        using var listener = ListenToStatements(database, sent);

        var fired = await store.ResolveDueTimersAsync(T0 + 1_000, 500, new ClaimRequest("firer", 150, T0 + 1_000, T0 + 31_000, [Flow]));

        Assert.Equal((200, 150), (fired.Taken, fired.Started.Count));
        Assert.All(fired.Started, job => Assert.Equal(WaitResolutionKind.Success, Assert.Single(job.Resolutions).Kind));
        // As above, and one batch that starts the 150 jobs and reads their resolutions (the NOTIFY for the 50 left pending).
        Assert.InRange(sent.Count, 4, 9);
        Assert.Equal(150, (await store.ListJobsAsync(new JobQuery { Flow = Flow, Status = JobStatus.Running, Limit = 500 })).Count);
    }

    /// <summary>Creates <paramref name="count"/> jobs and commits each blocking on a sleep due at <see cref="T0"/> + 1 s.</summary>
    private static async Task BlockOnTimersAsync(PostgresJobStore store, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await store.CreateJobAsync(TestJobs.JobOf(Flow));
        }

        var claimed = await store.ClaimAsync(new ClaimRequest(Owner, count, T0, T0 + 30_000, [Flow]));
        Assert.Equal(count, claimed.Count);
        var commits = claimed.Select(job => TestJobs.RunningStepOf(job.Id, Owner, job.Version, T0 + 1, 30_000) with
        {
            Status = JobStatus.Blocking,
            Waits = [new NewWait("nap", WaitTypes.Timer) { DueAtMs = T0 + 1_000 }],
        }).ToList();
        Assert.All(await store.CommitAsync(commits), Assert.True);
    }

    /// <summary>Records the display name of each statement Npgsql sends to <paramref name="database"/> (its tracing activities).</summary>
    private static ActivityListener ListenToStatements(string database, ConcurrentQueue<string> sent)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(tag => tag.Value is string value && value == database))
                {
                    sent.Enqueue(activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>A store on a fresh database (named <c>Database</c>) holding 200 jobs blocked on timers due at T0 + 1 s.</summary>
    private async Task<(PostgresJobStore Store, string Database)> StoreWith200TimersAsync()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();
        await BlockOnTimersAsync(store, 200);
        return (store, new NpgsqlConnectionStringBuilder(connectionString).Database!);
    }
}
