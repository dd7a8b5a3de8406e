using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>PostgreSQL restarted (fast shutdown, then started again on the same port and data) while worker processes run.</summary>
[Collection(SharedServers.Name)]
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    private static readonly string[] Chain = ["A", "B", "C"];

    [Fact]
    public async Task RestartPostgres_UnderLoad_WorkersReconnectByThemselvesAndNothingIsLost()
    {
        const int Jobs = 300;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var server = await PostgresServer.StartAsync(ct); // its own server: the shared one is not restarted
        await using var cluster = new Cluster(server.ConnectionString, null, output);
        string[] args = ["--flow", "chain", "--concurrency", "8", "--lease-ms", "2000", "--work-ms", "20"];

        var first = await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs)]);
        var second = await cluster.StartWorkerAsync(ct, args);
        cluster.Log($"{Jobs} jobs scheduled; workers {first.Id}, {second.Id} started");

        for (var round = 1; round <= 2; round++)
        {
            var target = (long)(Jobs * Chain.Length * 0.3 * round);
            var before = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= target, ct);
            await server.RestartAsync(ct);
            cluster.Log($"PostgreSQL restarted after {before} of {Jobs * Chain.Length} steps committed (new postmaster {server.Pid})");

            // Nobody tells the workers: they must reconnect and go on committing steps by themselves.
            var after = await Ledger.PollAsync(cluster.Ledger.CommittedStepsAsync, c => c >= Math.Min(before + 50, Jobs * Chain.Length), ct); // never more steps than there are
            cluster.Log($"workers continued: {after} steps committed");
            Assert.False(first.HasExited, $"Worker {first.Id} died:\n{first.Output}");
            Assert.False(second.HasExited, $"Worker {second.Id} died:\n{second.Output}");
        }

        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"all {Jobs} jobs terminal");
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Chain, ct);
        cluster.Log($"every step committed once; {reruns} handler re-runs, {takeovers} lease takeovers");
    }
}
