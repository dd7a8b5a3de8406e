using Envoy.Runtime.Storage;
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
        await using var store = await OpenStoreWithoutRetriesAsync();
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

    [Fact]
    public async Task CommitBatches_FinishingChildrenOfTheSameParents_InOppositeOrders_NeverDeadlock()
    {
        await using var store = await OpenStoreWithoutRetriesAsync();
        const int ChildrenEach = 20;
        var children = new List<(string ParentId, string ChildId)>();
        foreach (var parent in new[] { TestJobs.JobOf("parents"), TestJobs.JobOf("parents") })
        {
            await store.CreateJobAsync(parent);
            var claimedParent = Assert.Single(await store.ClaimAsync(new ClaimRequest(Owner, 1, T0, T0 + Lease, ["parents"])));
            var spawned = Enumerable.Range(0, ChildrenEach).Select(i => TestJobs.JobOf(Flow) with { ParentId = parent.Id, ParentWaitId = "w" + i }).ToList();
            var blocking = TestJobs.RunningStepOf(parent.Id, Owner, claimedParent.Version, T0 + 1, Lease) with
            {
                Status = JobStatus.Blocking,
                LeaseUntilMs = null,
                Children = spawned,
                Waits = spawned.ConvertAll(c => new NewWait(c.ParentWaitId!, "spawn")),
            };
            Assert.Single(await store.CommitAsync([blocking]), true);
            children.AddRange(spawned.Select(c => (parent.Id, c.Id)));
        }

        var claimed = (await store.ClaimAsync(new ClaimRequest(Owner, 2 * ChildrenEach, T0 + 2, T0 + Lease, [Flow]))).ToDictionary(j => j.Id, StringComparer.Ordinal);
        Assert.Equal(2 * ChildrenEach, claimed.Count);

        // Each round, two batches each finish one child of each parent, in opposite parent orders.
        var byParent = children.GroupBy(c => c.ParentId).Select(g => g.Select(c => c.ChildId).ToList()).ToList();
        for (var round = 0; round < ChildrenEach / 2; round++)
        {
            var first = new[] { byParent[0][2 * round], byParent[1][2 * round] };
            var second = new[] { byParent[1][(2 * round) + 1], byParent[0][(2 * round) + 1] };
            var batches = new[] { first, second }.Select(ids => store.CommitAsync(ids.Select(id => Done(claimed[id], children.First(c => c.ChildId == id).ParentId)).ToList()));

            var results = await Task.WhenAll(batches);

            Assert.All(results.SelectMany(r => r), Assert.True);
        }

        foreach (var parentId in children.Select(c => c.ParentId).Distinct())
        {
            var parent = await store.GetJobAsync(parentId);
            Assert.Equal(JobStatus.Pending, parent!.Status);
            Assert.Equal(ChildrenEach, parent.Resolutions.Count);
        }
    }

    /// <summary>A store on a fresh database with no retry window: a deadlock, which PostgreSQL breaks after deadlock_timeout (1 s) by failing one side, surfaces as an error.</summary>
    private async Task<PostgresJobStore> OpenStoreWithoutRetriesAsync()
    {
        var store = new PostgresJobStore(new PostgresConfig
        {
            ConnectionString = await postgres.CreateFreshDatabaseAsync(),
            TransientRetryWindow = TimeSpan.Zero,
        });
        await store.InitializeAsync();
        return store;
    }

    private static StepCommit Done(JobRecord child, string parentId) =>
        TestJobs.RunningStepOf(child.Id, Owner, child.Version, T0 + 3, Lease) with { Status = JobStatus.Done, LeaseUntilMs = null, ParentId = parentId, OutputJson = "1" };
}
