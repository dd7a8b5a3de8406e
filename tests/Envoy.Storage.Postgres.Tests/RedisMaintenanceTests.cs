using System.Diagnostics;
using Envoy.Coordination.Redis;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// Redis's part next to PostgreSQL, with its own Redis server that each test stops, flushes or restarts: the maintenance
/// leader moves to the PostgreSQL advisory lock while Redis is down and back when it returns (one leader at a time whenever
/// things are settled), and status reads and counts never depend on Redis being there or being right.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RedisMaintenanceTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MaintenanceLeader_FallsBackToTheAdvisoryLockWhileRedisIsDown_AndSweepsThere_ThenReturnsToRedis()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(ct);
        var database = await postgres.CreateFreshDatabaseAsync(ct);
        await using var first = Scheduler(database, redis.Endpoint);
        await using var second = Scheduler(database, redis.Endpoint);
        await first.StartAsync(ct);
        await second.StartAsync(ct);
        Scheduler[] both = [first, second];

        await SettledLeaderAsync(both, ct);
        await redis.StopAsync(ct);
        var leader = await SettledLeaderAsync(both, ct);

        // With Redis down the leader (on the advisory lock) still sweeps: a job whose worker died becomes pending.
        var id = await ClaimedByADeadWorkerAsync(first.Store, ct);
        await WaitUntilAsync(async () => (await first.Store.GetJobAsync(id, ct))!.Status == JobStatus.Pending, ct);
        Assert.Contains((await first.Store.GetHistoryAsync(id, ct))!, e => e.Kind == JobEventKind.LeaseExpired);

        await redis.StartAgainAsync(ct);
        await SettledLeaderAsync(both, ct);
        await leader.StopAsync(ct);
        Assert.NotSame(leader, await SettledLeaderAsync(both, ct));
    }

    [Fact]
    public async Task StatusReadsAndCounts_ComeFromPostgres_WhenRedisIsFlushedOrDown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(ct);
        var database = await postgres.CreateFreshDatabaseAsync(ct);
        await using var scheduler = Scheduler(database, redis.Endpoint);
        scheduler.AddFlow("one", new StateFlow([new State("A") { OnState = Task.FromResult, Router = Router.End }]));
        await scheduler.StartAsync(ct);
        var done = await scheduler.ScheduleAsync("one", cancellationToken: ct);
        await scheduler.WaitForJobAsync(done, TimeSpan.FromSeconds(20), ct);
        var later = await scheduler.ScheduleAsync("one", options: new ScheduleOptions { Delay = TimeSpan.FromHours(1) }, cancellationToken: ct);

        Assert.Equal(JobStatus.Done, await scheduler.GetJobStatusAsync(done, ct));
        Assert.Equal(JobStatus.Pending, await scheduler.GetJobStatusAsync(later, ct));
        await WaitUntilAsync(async () => (await scheduler.GetJobCountsAsync(ct))[JobStatus.Pending] == 1, ct);

        // Flushed: reads miss and go to PostgreSQL; a change made after the flush shows at once.
        await redis.FlushAllAsync(ct);
        Assert.Equal(JobStatus.Done, await scheduler.GetJobStatusAsync(done, ct));
        await scheduler.CancelJobAsync(later, ct);
        Assert.Equal(JobStatus.Cancelled, await scheduler.GetJobStatusAsync(later, ct));

        await redis.StopAsync(ct);
        Assert.Equal(JobStatus.Done, await scheduler.GetJobStatusAsync(done, ct));
        Assert.Equal(JobStatus.Cancelled, await scheduler.GetJobStatusAsync(later, ct));
        var counts = await scheduler.GetJobCountsAsync(ct);
        Assert.Equal(1, counts[JobStatus.Done]);
        Assert.Equal(1, counts[JobStatus.Cancelled]);
        Assert.Equal(0, counts[JobStatus.Pending]);
        await Assert.ThrowsAsync<JobNotFoundException>(() => scheduler.GetJobStatusAsync(Guid.NewGuid().ToString(), ct));
    }

    private static Scheduler Scheduler(string database, string redis)
    {
        var transport = RedisCoordination.Connect(redis);
        return new(
            new StatusCachedJobStore(new PostgresJobStore(new PostgresConfig { ConnectionString = database }, transport), transport),
            new SchedulerConfig { Concurrency = 2, MaintenanceInterval = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(200) });
    }

    private static async Task<string> ClaimedByADeadWorkerAsync(IJobStore store, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString();
        await store.CreateJobAsync(new NewJob(id, "nobody-runs-this", new StateContext("A") { JobId = id }.Serialize(), 0, 0, 0, null, null, null), ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Single(await store.ClaimAsync(new ClaimRequest("dead-worker", 1, now, now + 200, ["nobody-runs-this"]), ct));
        return id;
    }

    /// <summary>
    /// The one leader, once one scheduler alone has led throughout a window of six maintenance intervals (several renewals of
    /// the lock): a switch of locks may briefly show two leaders or none, and then the window starts again. The schedulers are
    /// sampled continuously; the short pause between samples only spaces them (a busy loop would take a core from the
    /// schedulers on a loaded machine), it waits for nothing.
    /// </summary>
    private static async Task<Scheduler> SettledLeaderAsync(IReadOnlyList<Scheduler> schedulers, CancellationToken ct)
    {
        var window = TimeSpan.FromMilliseconds(50) * 6;
        var deadline = Stopwatch.StartNew();
        var held = Stopwatch.StartNew();
        Scheduler? candidate = null;
        while (candidate is null || held.Elapsed < window)
        {
            Assert.True(deadline.Elapsed < Timeout, "The schedulers did not settle on one maintenance leader.");
            var leaders = schedulers.Where(s => s.IsMaintenanceLeader).ToList();
            var leader = leaders.Count == 1 ? leaders[0] : null;
            if (leader is null || !ReferenceEquals(leader, candidate))
            {
                candidate = leader;
                held.Restart();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, ct);
        }

        return candidate;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out.");
            await Task.Delay(25, ct);
        }
    }
}
