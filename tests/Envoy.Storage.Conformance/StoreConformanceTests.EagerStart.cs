using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>A job inserted with a lease (eager start): claimed by its creator in the same transaction.</summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task CreateJob_WithLease_IsInsertedClaimedByItsOwner()
    {
        var flow = NewFlow();
        var job = JobOf(flow) with { Lease = new JobLease(Owner, T0 + Lease) };

        var id = await Store.CreateJobAsync(job);

        Assert.Equal(job.Id, id);
        var stored = await GetAsync(id);
        var expected = job.ToClaimedRecord();
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(expected.Version, stored.Version);
        Assert.Equal(1, stored.Attempts);
        Assert.Equal(job.CreatedAtMs, stored.StartedAtMs);
        Assert.Equal(expected.UpdatedAtMs, stored.UpdatedAtMs);
        Assert.Equal(expected.RunAtMs, stored.RunAtMs);
        AssertSameJson(job.ContextJson, stored.ContextJson);
        var history = await HistoryAsync(id);
        Assert.Equal([JobEventKind.Scheduled, JobEventKind.Claimed], history.Select(e => e.Kind));
        Assert.Equal(JobStatus.Pending, history[1].From);
        Assert.Equal(JobStatus.Running, history[1].To);
    }

    [Fact]
    public async Task CreateJob_WithLease_IsNotClaimableUntilTheLeaseExpires()
    {
        var flow = NewFlow();
        var job = JobOf(flow) with { Lease = new JobLease(Owner, T0 + 1000) };
        await Store.CreateJobAsync(job);

        Assert.Empty(await ClaimAsync(flow, owner: "worker-2", now: T0 + 999));
        var takeover = Assert.Single(await ClaimAsync(flow, owner: "worker-2", now: T0 + 1001));

        Assert.Equal(job.Id, takeover.Id);
        Assert.Equal(2, takeover.Attempts);
    }

    [Fact]
    public async Task CreateJob_WithLease_CommitsWithTheRecordItsCreatorHolds()
    {
        var flow = NewFlow();
        var job = JobOf(flow) with { Lease = new JobLease(Owner, T0 + Lease) };
        await Store.CreateJobAsync(job);
        var held = job.ToClaimedRecord();

        Assert.False(await CommitOneAsync(StepOf(held, JobStatus.Done, owner: "worker-2")), "Only the lease owner may commit.");
        Assert.True(await CommitOneAsync(StepOf(held, JobStatus.Running)));
        Assert.False(await CommitOneAsync(StepOf(held, JobStatus.Done)), "The same version cannot commit twice.");
        var stored = await GetAsync(job.Id);
        Assert.Equal(JobStatus.Running, stored.Status);
        Assert.Equal(held.Version + 1, stored.Version);
    }

    [Fact]
    public async Task CreateJob_WithLeaseAndAUsedIdempotencyKey_ReturnsTheExistingJobAndLeasesNothing()
    {
        var flow = NewFlow();
        var key = "key-" + NewId();
        var first = await CreateAsync(flow, key: key);
        var again = JobOf(flow, key: key) with { Lease = new JobLease(Owner, T0 + Lease) };

        var id = await Store.CreateJobAsync(again);

        Assert.Equal(first, id);
        Assert.Null(await Store.GetJobAsync(again.Id));
        var existing = await GetAsync(first);
        Assert.Equal(JobStatus.Pending, existing.Status);
        Assert.Equal(0, existing.Attempts);
        Assert.Single(await ClaimAsync(flow, owner: "worker-2"));
    }
}
