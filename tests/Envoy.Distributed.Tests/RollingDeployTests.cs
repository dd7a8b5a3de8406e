using Envoy.TestServers;
using Npgsql;
using Xunit.Abstractions;

namespace Envoy.Distributed.Tests;

/// <summary>
/// Issue 17, flow versions: a rolling deploy on PostgreSQL. Two worker processes run version 1 of the flow <c>deploy</c>; jobs
/// in flight block on a wait; one process is stopped and replaced by a process with version 2 (another shape); the waits are
/// resolved. The old jobs finish on version 1 (on the process that still has it), the new ones run version 2.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RollingDeployTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Flow = "deploy";

    [Fact]
    public async Task RollingDeploy_JobsInFlightFinishOnV1_NewJobsRunV2()
    {
        const int Jobs = 6;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var cluster = new Cluster(await postgres.CreateFreshDatabaseAsync(ct), null, output);
        var keeper = await cluster.StartWorkerAsync(ct, "--flow", Flow, "--flow-version", "1", "--poll-ms", "200");
        var replaced = await cluster.StartWorkerAsync(ct, "--flow", Flow, "--flow-version", "1", "--poll-ms", "200");

        // The app's API process: it schedules and resolves, and runs nothing (never started).
        await using var api = await Scheduler.InitAsync(new SchedulerConfig { Postgres = new PostgresConfig { ConnectionString = cluster.ConnectionString } }, ct);
        api.AddFlow(Flow, Shape("1"), new FlowOptions { Version = "1" });
        var old = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => api.ScheduleAsync(Flow, i, cancellationToken: ct)));
        await Ledger.PollAsync(c => cluster.Ledger.CountStatusAsync(JobStatus.Blocking, c), n => n == Jobs, ct);
        cluster.Log($"{Jobs} v1 jobs blocked on their wait (workers {keeper.Id} and {replaced.Id})");

        await replaced.SendAsync("stop 10000");
        await replaced.WaitForLineAsync("STOPPED", ct);
        var upgraded = await cluster.StartWorkerAsync(ct, "--flow", Flow, "--flow-version", "2", "--poll-ms", "200");
        cluster.Log($"worker {replaced.Id} stopped, replaced by {upgraded.Id} with v2");

        api.AddFlow(Flow, Shape("2"), new FlowOptions { Version = "2" }); // the API deployed with both: new jobs take v2
        var fresh = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => api.ScheduleAsync(Flow, i, cancellationToken: ct)));
        await Ledger.PollAsync(c => cluster.Ledger.CountStatusAsync(JobStatus.Blocking, c), n => n == 2 * Jobs, ct);

        foreach (var id in old.Concat(fresh))
        {
            await api.ResolveBlockingJobAsync(id, "go", "ok", ct);
        }

        await cluster.Ledger.WaitUntilAllTerminalAsync(2 * Jobs, ct);
        cluster.Log($"all {2 * Jobs} jobs terminal");

        var finishedBy = await FinishedByAsync(cluster.ConnectionString, ct);
        foreach (var id in old)
        {
            var job = await api.GetJobAsync(id, ct);
            Assert.Equal(JobStatus.Done, job.Status);
            Assert.Equal("1", job.FlowVersion);
            Assert.Equal("v1", job.Context.Output<string>());
            Assert.Equal(("Finish-1", keeper.Id), finishedBy[id]); // the v1 shape's state, on the process that still has v1
        }

        foreach (var id in fresh)
        {
            var job = await api.GetJobAsync(id, ct);
            Assert.Equal(JobStatus.Done, job.Status);
            Assert.Equal("2", job.FlowVersion);
            Assert.Equal("v2", job.Context.Output<string>());
            Assert.Equal(("Finish-2", upgraded.Id), finishedBy[id]);
        }

        var failedSteps = await cluster.Ledger.ScalarAsync("SELECT count(*) FROM envoy.job_events WHERE kind = 3", ct);
        Assert.Equal(0, failedSteps);
        Assert.Empty(await api.ListUnservedJobsAsync(cancellationToken: ct));
    }

    /// <summary>The shape of each version as the API process registers it (the workers' own is in tests/Envoy.PgWorker/Flows.cs).</summary>
    private static StateFlow Shape(string version) => new(
    [
        new State("Wait") { OnState = async ctx => ctx.WaitFor(new WaitFor("go", "signal")), Router = Router.Next("Finish-" + version) },
        new State("Finish-" + version) { OnState = async ctx => ctx.Output("v" + version), Router = Router.End },
    ]);

    /// <summary>Each job's recorded finishing state and the process that ran it (the PgWorker's counter table).</summary>
    private static async Task<Dictionary<string, (string State, int Pid)>> FinishedByAsync(string connectionString, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT job_id, state, last_pid FROM fault.handler_runs");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(reader.GetString(0), (reader.GetString(1), reader.GetInt32(2)));
        }

        return rows;
    }
}
