using Envoy.Runtime.Storage;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// The store's statements leave nothing in the server's log: a claim's batch is an implicit transaction, where <c>SET LOCAL</c>
/// makes PostgreSQL log a warning each time (two lines per claim, filling a busy server's log).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class ServerLogTests(PostgresFixture postgres)
{
    private const string Flow = "quiet";
    private const string SetLocalWarning = "SET LOCAL can only be used in transaction blocks";

    [Fact]
    public async Task ClaimsAndCommits_LogNoWarnings()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();

        for (var i = 0; i < 5; i++)
        {
            var id = await store.CreateJobAsync(TestJobs.JobOf(Flow));
            var claimed = Assert.Single(await store.ClaimAsync(new ClaimRequest("worker", 1, TestJobs.T0, TestJobs.T0 + 30_000, [Flow])));
            Assert.Equal(id, claimed.Id);
            Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, "worker", claimed.Version, TestJobs.T0 + 1, 30_000)]), true);
        }

        Assert.Empty(await store.ClaimAsync(new ClaimRequest("worker", 1, TestJobs.T0, TestJobs.T0 + 30_000, [Flow])));
        var log = postgres.Server.RecentOutput();
        Assert.False(log.Contains(SetLocalWarning, StringComparison.Ordinal), $"The server logged: {log}");
    }
}
