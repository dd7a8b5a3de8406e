using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Redis flushed, stopped and started again (empty) while PostgreSQL + Redis worker processes run: no job is lost or stuck,
/// work goes on through PostgreSQL alone while Redis is down (including jobs scheduled then), and every job ends Done.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RedisOutageTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly string[] Chain = ["A", "B", "C"];

    [Fact]
    public async Task FlushStopRestartRedis_UnderLoad_NoJobLostOrStuckAndWorkGoesOnThroughPostgres()
    {
        const int Jobs = 300;
        const int ScheduledWhileDown = 50;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var redis = await RedisServer.StartAsync(ct); // its own server: it is stopped mid-test
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), redis.Endpoint, output);
        string[] args = ["--flow", "chain", "--concurrency", "8", "--lease-ms", "2000", "--work-ms", "20"];
        const int TotalSteps = (Jobs + ScheduledWhileDown) * 3;

        // Each phase waits for some more steps, but never for more than there are: on a quick run the workers can be nearly
        // done by the time Redis is back (measured: 1,002 of 1,050 committed), and the end checks every job anyway.
        static long AtMostAll(long steps) => Math.Min(steps, TotalSteps);

        var first = await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs)]);
        var second = await cluster.StartWorkerAsync(ct, args);
        cluster.Log($"{Jobs} jobs scheduled; workers {first.Id}, {second.Id} on PostgreSQL + Redis {redis.Endpoint}");

        var committed = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= TotalSteps / 5, ct);
        await redis.FlushAllAsync(ct);
        cluster.Log($"Redis flushed after {committed} steps committed");

        committed = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= AtMostAll(committed + 60), ct);
        await redis.StopAsync(ct);
        cluster.Log($"Redis stopped after {committed} steps committed");

        // While Redis is down: scheduling still works (PostgreSQL is the truth) and the workers keep committing steps.
        var scheduler = await cluster.StartWorkerAsync(ct, "--flow", "chain", "--schedule", N(ScheduledWhileDown), "--no-run");
        cluster.Log($"{ScheduledWhileDown} more jobs scheduled with Redis down ({scheduler.Output.Trim().Split('\n')[0]})");
        var down = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= AtMostAll(committed + 150), ct);
        cluster.Log($"with Redis down, the workers went on: {down} steps committed");

        await redis.StartAgainAsync(ct);
        cluster.Log($"Redis started again (empty) on {redis.Endpoint}");
        var back = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= AtMostAll(down + 60), ct);
        cluster.Log($"with Redis back: {back} steps committed");

        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs + ScheduledWhileDown, ct);
        cluster.Log($"all {Jobs + ScheduledWhileDown} jobs terminal");
        Assert.False(first.HasExited || second.HasExited, "A worker died during the Redis outage.");
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs + ScheduledWhileDown, Chain, ct);
        cluster.Log($"every step committed once; {reruns} handler re-runs, {takeovers} lease takeovers");
    }
}
