using Envoy.TestServers;
using Npgsql;
using Xunit.Abstractions;
using static Envoy.Distributed.Tests.Cluster;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Issue 18, concurrency limits over several processes on PostgreSQL: worker processes of the <c>limited</c> flow
/// (tests/Envoy.PgWorker, <c>FlowOptions.ConcurrencyLimit</c>) count their handlers per key in <c>fault.limit_running</c>
/// (one up at start, one down at the end, the highest value kept): never more than the limit of one key at once, and every
/// job ends done.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class ConcurrencyLimitTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Flow = "limited";

    [Fact]
    public async Task ConcurrencyLimit_FourProcesses_500JobsOn5Keys_NeverMoreThan2RunningPerKey_AllDone()
    {
        const int Jobs = 500;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        string[] args = ["--flow", Flow, "--limit", "2", "--keys", "5", "--concurrency", "4", "--work-ms", "20", "--lease-ms", "15000", "--poll-ms", "200"];

        await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs), "--no-run"]);
        cluster.Log($"{Jobs} jobs scheduled on 5 keys (limit 2)");
        for (var i = 0; i < 4; i++)
        {
            await cluster.StartWorkerAsync(ct, args);
        }

        cluster.Log("4 worker processes started");
        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"all {Jobs} jobs terminal");

        Assert.Equal(Jobs, await cluster.Ledger.CountStatusAsync(JobStatus.Done, ct));
        var counts = await CountsAsync(cluster.ConnectionString, ct);
        foreach (var (key, (running, peak, starts)) in counts)
        {
            cluster.Log($"key {key}: peak {peak} running at once, {starts} handler starts");
            Assert.True(peak <= 2, $"{peak} jobs of key {key} ran at once (limit 2).");
            Assert.Equal(0, running);
            Assert.True(starts >= Jobs / 5, $"Key {key} started {starts} handlers for {Jobs / 5} jobs.");
        }

        Assert.Equal(5, counts.Count);
    }

    [Fact]
    public async Task ConcurrencyLimit_KillNine_TheDeadWorkersSlotFreesWhenItsLeaseExpires()
    {
        const int Jobs = 4;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        string[] args = ["--flow", Flow, "--limit", "1", "--keys", "1", "--concurrency", "4", "--work-ms", "1500", "--lease-ms", "2000", "--poll-ms", "200"];

        await cluster.StartWorkerAsync(ct, [.. args, "--schedule", N(Jobs), "--no-run"]);
        var victim = await cluster.StartWorkerAsync(ct, args);
        await Ledger.PollAsync(c => cluster.Ledger.ScalarAsync("SELECT count(*) FROM fault.limit_running WHERE running = 1", c), n => n == 1, ct);
        await cluster.KillAsync(victim, ct);
        // Killed mid-handler (each works 1.5 s): its job is still running in the store, holding the key's one slot.
        var held = await RunningJobIdAsync(cluster.ConnectionString, ct);
        var survivor = await cluster.StartWorkerAsync(ct, args);
        cluster.Log($"SIGKILL worker {victim.Id} running job {held}; worker {survivor.Id} waits for its slot");

        await cluster.Ledger.WaitUntilAllTerminalAsync(Jobs, ct);
        cluster.Log($"all {Jobs} jobs terminal");

        Assert.Equal(Jobs, await cluster.Ledger.CountStatusAsync(JobStatus.Done, ct));
        // The held job was taken over after its lease expired (its slot kept till then), and no other job of the key started
        // before that takeover: each first claim of the others comes after it.
        var takeoverAt = await cluster.Ledger.ScalarAsync(
            $"SELECT coalesce(max(at), 0) FROM envoy.job_events WHERE job_id = '{held}' AND kind = {(int)JobEventKind.Claimed} AND from_status = {(int)JobStatus.Running}", ct);
        Assert.True(takeoverAt > 0, $"Job {held} of the killed worker was not taken over from its running state.");
        var startedBefore = await cluster.Ledger.ScalarAsync(
            $"SELECT count(*) FROM envoy.job_events WHERE job_id <> '{held}' AND kind = {(int)JobEventKind.Claimed} AND at < {takeoverAt}", ct);
        Assert.Equal(0, startedBefore);
    }

    private static async Task<Dictionary<string, (int Running, int Peak, int Starts)>> CountsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT key, running, peak, starts FROM fault.limit_running", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, (int, int, int)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = (reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
        }

        return counts;
    }

    private static async Task<string> RunningJobIdAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT id FROM envoy.jobs WHERE status = 1", connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }
}
