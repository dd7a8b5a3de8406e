using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// kill -9 of worker processes on PostgreSQL in the middle of steps: the killed worker's leases expire (2 s), another worker
/// process takes its jobs over, every job ends Done and no step commits twice (handlers may run again: the counter table shows it).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class KillWorkerTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly string[] Chain = ["A", "B", "C"];

    [Fact]
    public async Task KillNine_WorkersMidStep_LeasesExpireOthersTakeOverEveryStepCommittedOnce()
    {
        const int Jobs = 200;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        string[] args = ["--flow", "chain", "--concurrency", "8", "--lease-ms", "2000", "--work-ms", "150"];

        // The scheduling worker starts last: on a loaded machine a process takes seconds to start, and a first worker that
        // scheduled the jobs at once could run them all before the others are up and the first kill comes.
        var plain = new[] { await cluster.StartWorkerAsync(ct, args), await cluster.StartWorkerAsync(ct, args) };
        var workers = new[] { plain[0], plain[1], await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs)]) };
        cluster.Log($"{Jobs} jobs (3 steps each) scheduled; workers {string.Join(", ", workers.Select(w => w.Id))} started");

        double[] killAt = [0.2, 0.45, 0.7];
        for (var k = 0; k < killAt.Length; k++)
        {
            var target = (long)(Jobs * Chain.Length * killAt[k]);
            var committed = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= target, ct);
            var victim = workers[k % workers.Length];
            await cluster.KillAsync(victim, ct);
            cluster.Log($"SIGKILL worker {victim.Id} after {committed} of {Jobs * Chain.Length} steps committed");
            workers[k % workers.Length] = await cluster.StartWorkerAsync(ct, args);
            cluster.Log($"started worker {workers[k % workers.Length].Id}");
        }

        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"all {Jobs} jobs terminal");
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Chain, ct);
        cluster.Log($"every step committed once; {reruns} handler re-runs, {takeovers} lease takeovers");

        // The kills landed mid-step: handlers that ran without their step committing ran again after a takeover.
        Assert.True(reruns > 0, "No handler ran twice: no kill landed in the middle of a step.");
        Assert.True(takeovers > 0, "No job was taken over from a killed worker after its lease expired.");
    }
}
