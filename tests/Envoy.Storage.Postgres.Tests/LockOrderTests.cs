using Envoy.Runtime;
using Envoy.TestServers;

namespace Envoy.Storage.Postgres.Tests;

/// <summary>A worker's lease renewals and its commit batches lock the same job rows, always in the same order.</summary>
[Collection(SharedServers.Name)]
public sealed class LockOrderTests(PostgresFixture postgres)
{
    private const long T0 = TestJobs.T0;
    private const long Lease = 60_000;
    private const string Owner = "worker-1";
    private const string Flow = "locks";

    [Fact]
    public async Task RenewalsAndCommitBatches_OfTheSameJobs_NeverDeadlock()
    {
        // No retry window: a deadlock, which PostgreSQL breaks after deadlock_timeout (1 s) by failing one side, surfaces here.
        await using var store = new PostgresJobStore(new PostgresStoreOptions
        {
            ConnectionString = await postgres.CreateFreshDatabaseAsync(),
            TransientRetryWindow = TimeSpan.Zero,
        });
        await store.InitializeAsync();
        const int Jobs = 24;
        await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i => store.CreateJobAsync(TestJobs.JobOf(Flow))));
        var claimed = await store.ClaimAsync(new ClaimRequest(Owner, Jobs, T0, T0 + Lease, [Flow]));
        Assert.Equal(Jobs, claimed.Count);
        var versions = claimed.ToDictionary(j => j.Id, j => j.Version, StringComparer.Ordinal);

        // Each round commits every job in the reverse of its ids' order while a renewal of all of them runs.
        var ids = versions.Keys.OrderDescending(StringComparer.Ordinal).ToArray();
        for (var round = 1; round <= 40; round++)
        {
            var now = T0 + round;
            var commits = ids.Select(id => TestJobs.RunningStepOf(id, Owner, versions[id], now, Lease)).ToList();

            var committing = store.CommitAsync(commits);
            var renewing = store.RenewLeasesAsync(Owner, ids, now + Lease);
            var applied = await committing;
            var kept = await renewing;

            Assert.All(applied, Assert.True);
            Assert.Equal(Jobs, kept.Count);
            foreach (var id in ids)
            {
                versions[id]++;
            }
        }

        foreach (var (id, version) in versions)
        {
            var job = await store.GetJobAsync(id);
            Assert.Equal(JobStatus.Running, job!.Status);
            Assert.Equal(version, job.Version);
        }
    }
}
