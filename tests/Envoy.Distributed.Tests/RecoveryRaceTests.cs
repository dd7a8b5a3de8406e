using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Two worker processes racing to recover the same expired jobs (their worker was SIGKILLed mid-step): each job is taken over by
/// exactly one of them, its step runs once more, and commits once.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RecoveryRaceTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly string[] Pair = ["A", "B"];

    [Fact]
    public async Task TwoWorkers_RecoverTheSameExpiredJobs_ExactlyOneWinsEach()
    {
        const int Jobs = 30;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);

        var doomed = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--concurrency", N(Jobs), "--lease-ms", "2000", "--work-ms", "60000", "--schedule", N(Jobs));
        await Ledger.PollAsync(cluster.Ledger.HandlerRunsAsync, runs => runs >= Jobs, ct); // every job mid-step in the doomed worker
        await cluster.KillAsync(doomed, ct);
        cluster.Log($"SIGKILL worker {doomed.Id} with {Jobs} jobs mid-step; their 2 s leases will expire");

        string[] args = ["--flow", "pair", "--concurrency", N(Jobs), "--lease-ms", "2000", "--work-ms", "10", "--poll-ms", "100"];
        var racers = await Task.WhenAll(cluster.StartWorkerAsync(ct, args), cluster.StartWorkerAsync(ct, args));
        cluster.Log($"racers {racers[0].Id} and {racers[1].Id} started");

        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Pair, ct);
        var perJob = await cluster.Ledger.TakeoversPerJobAsync(ct);
        var runs = await cluster.Ledger.RunsPerJobAsync(ct);
        cluster.Log($"{takeovers} takeovers, {reruns} handler re-runs");

        Assert.All(perJob, job => Assert.Equal(1, job.Value)); // exactly one racer took each job over
        Assert.All(runs, job => Assert.Equal(Pair.Length + 1, job.Value)); // A ran twice (the doomed worker, the winner), B once
        Assert.Equal(Jobs, reruns);
    }
}
