using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>GET /stats</c> on every store.</summary>
public abstract class StatsApiTests(ApiStore store) : ApiTestBase(store)
{
    private static readonly string[] Statuses = ["pending", "running", "blocking", "done", "failed", "cancelled"];

    private static string Counts(JsonNode stats) => string.Join(",", Statuses.Select(s => $"{s}={stats["counts"]![s]!.GetValue<long>()}"));

    [Fact]
    public async Task An_empty_store_counts_zero_in_every_status()
    {
        var stats = await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/stats"));

        Assert.Equal("pending=0,running=0,blocking=0,done=0,failed=0,cancelled=0", Counts(stats));
        Assert.Equal(0, stats["total"]!.GetValue<long>());
        Assert.Null(stats["oldestPendingAt"]);
        Assert.EndsWith("Z", stats["countedAt"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OldestPendingAt_is_when_the_longest_waiting_due_job_became_due()
    {
        // With the workers stopped, due jobs stay pending.
        await Host.Scheduler.StopAsync();
        var first = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.ScheduleAsync("hello", options: new ScheduleOptions { Delay = TimeSpan.FromHours(1) });
        var runAt = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{first}")))["runAt"]!.GetValue<string>();

        var stats = await Eventually.UntilAsync(
            async () => await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/stats")),
            s => s["counts"]!["pending"]!.GetValue<long>() == 3,
            "three pending jobs counted");

        Assert.Equal(runAt, stats["oldestPendingAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_counts_follow_the_jobs_statuses()
    {
        var done = new[] { await Host.Scheduler.ScheduleAsync("hello"), await Host.Scheduler.ScheduleAsync("hello") };
        var failed = await Host.Scheduler.ScheduleAsync("fail");
        var blocking = await Host.Scheduler.ScheduleAsync("wait");
        var cancelled = await Host.Scheduler.ScheduleAsync("hello", options: new ScheduleOptions { Delay = TimeSpan.FromHours(1) });
        var pending = await Host.Scheduler.ScheduleAsync("hello", options: new ScheduleOptions { Delay = TimeSpan.FromHours(1) });
        await Host.Scheduler.CancelJobAsync(cancelled);
        foreach (var id in done.Append(failed))
        {
            await Host.Scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(30));
        }

        await Eventually.UntilAsync(() => Host.Scheduler.GetJobStatusAsync(blocking), s => s == JobStatus.Blocking, "the wait job to block");

        // The counts may be cached for a moment (Redis): wait for them to catch up.
        var stats = await Eventually.UntilAsync(
            async () => await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/stats")),
            s => Counts(s) == "pending=1,running=0,blocking=1,done=2,failed=1,cancelled=1",
            "the counts");

        Assert.Equal(6, stats["total"]!.GetValue<long>());
        Assert.Equal(JobStatus.Pending, (await Host.Scheduler.GetJobAsync(pending)).Status);
    }

    [Fact]
    public async Task Stats_need_a_caller() =>
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/stats"), HttpStatusCode.Unauthorized, "unauthorized");
}

public sealed class SqliteStatsApiTests() : StatsApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresStatsApiTests(PostgresFixture postgres) : StatsApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisStatsApiTests(PostgresFixture postgres, RedisFixture redis) : StatsApiTests(ApiStore.PostgresRedis(postgres, redis));
