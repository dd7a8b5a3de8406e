using System.Globalization;
using Envoy.TestServers;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// StopAsync in a worker process on PostgreSQL: steps running when it is called finish and commit within its deadline; a step
/// still running at the deadline is signalled and its job given back as pending, for another worker process to finish.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class GracefulStopTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly string[] Pair = ["A", "B"];

    [Fact]
    public async Task StopAsync_StepsOfOneSecond_FinishAndCommitWithinTheDeadline()
    {
        const int Jobs = 4;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);

        var stopping = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--concurrency", N(Jobs), "--work-ms", "1000", "--schedule", N(Jobs));
        await Ledger.PollAsync(cluster.Ledger.HandlerRunsAsync, runs => runs >= Jobs, ct); // every job is in its first step
        Assert.Equal(0, await cluster.Ledger.CommittedStepsAsync(ct));
        await stopping.SendAsync("stop 10000");
        var stoppedAfter = StoppedMs(await stopping.WaitForLineAsync("STOPPED", ct));
        cluster.Log($"worker {stopping.Id} stopped in {stoppedAfter} ms (deadline 10,000 ms) with {Jobs} one-second steps running");

        Assert.InRange(stoppedAfter, 0, 9_999);
        // The steps that were running finished and committed during StopAsync: nothing was cut short or left to a lease.
        Assert.Equal(Jobs, await cluster.Ledger.ScalarAsync("SELECT count(*) FROM envoy.job_events WHERE kind = 2 AND state = 'A'", ct));
        Assert.Equal(0, await cluster.Ledger.CountStatusAsync(JobStatus.Running, ct));
        Assert.Equal(0, await cluster.Ledger.ScalarAsync("SELECT count(*) FROM envoy.job_events WHERE kind = 9", ct)); // none released

        var finishing = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--work-ms", "10");
        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"worker {finishing.Id} finished what was left");
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Pair, ct);
        Assert.Equal(0, reruns); // each handler ran exactly once: the stop let the running ones finish
        Assert.Equal(0, takeovers);
    }

    [Fact]
    public async Task StopAsync_StepStillRunningAtTheDeadline_IsReleasedAndFinishedByAnotherWorker()
    {
        const int Jobs = 3;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);

        var stopping = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--concurrency", N(Jobs), "--work-ms", "60000", "--schedule", N(Jobs));
        await Ledger.PollAsync(cluster.Ledger.HandlerRunsAsync, runs => runs >= Jobs, ct);
        await stopping.SendAsync("stop 1000");
        var stoppedAfter = StoppedMs(await stopping.WaitForLineAsync("STOPPED", ct));
        cluster.Log($"worker {stopping.Id} stopped in {stoppedAfter} ms (deadline 1,000 ms) with {Jobs} one-minute steps running");

        Assert.InRange(stoppedAfter, 900, 10_000);
        // Given back at once, not left to lease expiry: pending, with a Released event, and no step committed.
        Assert.Equal(Jobs, await cluster.Ledger.CountStatusAsync(JobStatus.Pending, ct));
        Assert.Equal(Jobs, await cluster.Ledger.ScalarAsync("SELECT count(*) FROM envoy.job_events WHERE kind = 9", ct));
        Assert.Equal(0, await cluster.Ledger.CommittedStepsAsync(ct));

        var finishing = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--work-ms", "10");
        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"worker {finishing.Id} finished the released jobs");
        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Jobs, Pair, ct);
        Assert.Equal(Jobs, reruns); // the cut-short first steps ran again, once each
        Assert.Equal(0, takeovers); // claimed as pending, not taken over after a lease expired
    }

    private static int StoppedMs(string line) => int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
}
