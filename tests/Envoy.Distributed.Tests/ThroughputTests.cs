using System.Diagnostics;
using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// 10,000 jobs (two states each, trivial handlers) over two and over four worker processes on one PostgreSQL: every job Done,
/// each step committed exactly once and each handler run exactly once, counted by the counter table (not by logs).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class ThroughputTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Jobs = 10_000;
    private static readonly string[] Pair = ["A", "B"];

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task TenThousandJobs_OverSeveralWorkerProcesses_EachStepExactlyOnce(int processes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        string[] args = ["--flow", "pair", "--concurrency", N(32 / processes), "--lease-ms", "30000", "--work-ms", "0", "--poll-ms", "200"];

        // Scheduled first (not running), so that every process starts on a full queue.
        var scheduling = await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs), "--no-run"]);
        cluster.Log($"{Jobs} jobs scheduled ({scheduling.Output.Trim().Split('\n')[0]})");

        var clock = Stopwatch.StartNew();
        var workers = await Task.WhenAll(Enumerable.Range(0, processes).Select(_ => cluster.StartWorkerAsync(ct, args)));
        cluster.Log($"{processes} workers started: {string.Join(", ", workers.Select(w => w.Id))}");
        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        var elapsed = clock.Elapsed;
        cluster.Log($"all {Jobs} jobs terminal in {elapsed.TotalSeconds:0.0} s over {processes} processes: {Jobs * Pair.Length / elapsed.TotalSeconds:0} steps/s (including process start)");

        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Pair, ct);
        Assert.Equal(0, reruns); // nothing failed or was killed: every handler ran exactly once
        Assert.Equal(0, takeovers);
        Assert.Equal(Jobs * Pair.Length, await cluster.Ledger.HandlerRunsAsync(ct));

        // The work was shared: every worker process ran handlers (one that ran none would not have scaled anything).
        var pids = await cluster.Ledger.ScalarAsync("SELECT count(DISTINCT last_pid) FROM fault.handler_runs", ct);
        Assert.Equal(processes, pids);
    }
}
