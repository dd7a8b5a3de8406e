using Envoy.Runtime.Storage;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>
/// A step that keeps its job running changes no indexed column of <c>envoy.jobs</c>, so PostgreSQL can update the row in place
/// (a heap-only update): the lease end is kept while more than half of a lease remains, and the table leaves room on its pages
/// (<see cref="SchemaMigrationTests"/>).
/// </summary>
[Collection(SharedServers.Name)]
public sealed class HeapOnlyCommitTests(PostgresFixture postgres)
{
    private const long T0 = TestJobs.T0;
    private const long Lease = 30_000;
    private const string Owner = "worker-1";
    private const string Flow = "hot";

    [Fact]
    public async Task RunningCommit_KeepsTheLeaseEnd_WhileMoreThanHalfRemains_AndRenewsItAfter()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        await using var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString });
        await store.InitializeAsync();
        var id = await store.CreateJobAsync(TestJobs.JobOf(Flow));
        var claimed = Assert.Single(await store.ClaimAsync(new ClaimRequest(Owner, 1, T0, T0 + Lease, [Flow])));

        // 10 s into a 30 s lease, 20 s remain: more than half of the 30 s lease the commit asks for, so the end stays.
        Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, Owner, claimed.Version, T0 + 10_000, Lease)]), true);
        Assert.Equal(T0 + Lease, await LeaseUntilAsync(connectionString, id));

        // 20 s in, 10 s remain: less than half, so the commit's new end is written.
        Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, Owner, claimed.Version + 1, T0 + 20_000, Lease)]), true);
        Assert.Equal(T0 + 20_000 + Lease, await LeaseUntilAsync(connectionString, id));

        // The kept end still guards the job: another worker cannot claim it before it passes.
        Assert.Empty(await store.ClaimAsync(new ClaimRequest("worker-2", 1, T0 + 20_000 + Lease - 1, T0 + 100_000, [Flow])));
        Assert.Single(await store.ClaimAsync(new ClaimRequest("worker-2", 1, T0 + 20_000 + Lease + 1, T0 + 100_000, [Flow])));
    }

    [Fact]
    public async Task RunningCommits_AreHeapOnly_WithTheScheduledInputAndTheListIndexes()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        string id;
        await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString }))
        {
            await store.InitializeAsync();
            id = await store.CreateJobAsync(TestJobs.JobOf(Flow) with { InputJson = """{"words":"kept as scheduled"}""" });
            var claimed = Assert.Single(await store.ClaimAsync(new ClaimRequest(Owner, 1, T0, T0 + Lease, [Flow])));
            for (var i = 0; i < 3; i++)
            {
                Assert.Single(await store.CommitAsync([TestJobs.RunningStepOf(id, Owner, claimed.Version + i, T0 + 1_000 + i, Lease)]), true);
            }
        }

        // The store's connections are closed: their backends report their statistics as they exit.
        const string Updates = "SELECT n_tup_upd || ',' || n_tup_hot_upd FROM pg_stat_user_tables WHERE relid = 'envoy.jobs'::regclass";
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        string counts;
        while ((counts = await TestSql.ScalarAsync<string>(connectionString, Updates)) is not "4,3" && DateTimeOffset.UtcNow < deadline)
        {
            await TestSql.ScalarAsync<object>(connectionString, "SELECT pg_stat_clear_snapshot()");
        }

        // One claim (its status is indexed: not heap-only), then three running commits, each heap-only.
        Assert.Equal("4,3", counts);
        Assert.True(await TestSql.ScalarAsync<bool>(connectionString, $"SELECT input = '{{\"words\": \"kept as scheduled\"}}'::jsonb FROM envoy.jobs WHERE id = '{id}'"));
    }

    private static Task<long> LeaseUntilAsync(string connectionString, string id) =>
        TestSql.ScalarAsync<long>(connectionString, $"SELECT lease_until FROM envoy.jobs WHERE id = '{id}'");

}
