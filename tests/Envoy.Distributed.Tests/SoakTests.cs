using System.Globalization;
using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.Distributed.Tests;

/// <summary>
/// A bounded soak: a worker process under a steady stream of jobs for half a minute. Its memory and its PostgreSQL
/// connections must level off (a leak of either grows with every job), and every job must still run each step once.
/// The long soak of quality.md (100,000 jobs) is the same test with <c>ENVOY_SOAK_WAVES=200 ENVOY_SOAK_JOBS_PER_WAVE=500</c>;
/// its figures are in docs/benchmarks.md.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class SoakTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly int Waves = Setting("ENVOY_SOAK_WAVES", 30);
    private static readonly int JobsPerWave = Setting("ENVOY_SOAK_JOBS_PER_WAVE", 200);
    private static readonly string[] Pair = ["A", "B"];

    [Fact]
    public async Task SteadyLoad_ForHalfAMinute_MemoryAndConnectionsLevelOff_AndEveryStepRunsOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(Waves * 2));
        var ct = timeout.Token;
        var database = await postgres.CreateFreshDatabaseAsync(ct);
        await using var cluster = new Cluster(database, null, output);
        var worker = await cluster.StartWorkerAsync(ct, "--flow", "pair", "--concurrency", "16", "--lease-ms", "30000", "--work-ms", "0", "--poll-ms", "200");

        // This process only schedules (its scheduler is not started): the same two states as the worker's "pair" flow.
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = database } }, cancellationToken: ct);
        scheduler.AddFlow("pair", new StateFlow([new State("A") { OnState = Task.FromResult, Router = Router.Next("B") }, new State("B") { OnState = Task.FromResult, Router = Router.End }]));

        var samples = new List<(int Wave, long RssKb, long Connections)>();
        for (var wave = 0; wave < Waves; wave++)
        {
            var started = cluster.Elapsed;
            await Task.WhenAll(Enumerable.Range(0, JobsPerWave).Select(i => scheduler.ScheduleAsync("pair", (wave * JobsPerWave) + i, cancellationToken: ct)));
            samples.Add((wave, ResidentKb(worker.Id), await cluster.Ledger.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()", ct)));
            var rest = TimeSpan.FromSeconds(1) - (cluster.Elapsed - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, ct);
            }
        }

        await cluster.Ledger.WaitUntilAllTerminalAsync(Waves * JobsPerWave, ct);
        samples.Add((Waves, ResidentKb(worker.Id), await cluster.Ledger.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()", ct)));
        foreach (var sample in samples)
        {
            cluster.Log($"wave {sample.Wave,2}: worker RSS {sample.RssKb / 1024.0:0.0} MB, {sample.Connections} connections to the database");
        }

        var (reruns, takeovers) = await cluster.Ledger.AssertEachStepCommittedOnceAsync(Waves * JobsPerWave, Pair, ct);
        Assert.Equal(0, reruns);
        Assert.Equal(0, takeovers);

        // After a third of the run the process is warm; from there on, memory may move with the GC but not keep growing.
        var warm = samples.Where(s => s.Wave >= Waves / 3).ToList();
        var baseline = warm[0].RssKb;
        Assert.All(warm, s => Assert.True(
            s.RssKb <= Math.Max(baseline * 3 / 2, baseline + (64 * 1024)),
            $"Worker RSS grew from {baseline / 1024} MB to {s.RssKb / 1024} MB at wave {s.Wave}."));
        Assert.True(warm.Max(s => s.RssKb) < 600 * 1024, $"Worker RSS reached {warm.Max(s => s.RssKb) / 1024} MB.");

        // Connections come from pools with fixed ceilings (both processes' stores, the listener, the counter): bounded, not growing.
        var connections = warm.Select(s => s.Connections).ToList();
        Assert.True(connections.Max() <= connections[0] + 8, $"Connections grew from {connections[0]} to {connections.Max()}.");
        Assert.True(connections.Max() < 120, $"{connections.Max()} connections to the database.");
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    /// <summary>The process's resident set (VmRSS), in KB.</summary>
    private static long ResidentKb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
