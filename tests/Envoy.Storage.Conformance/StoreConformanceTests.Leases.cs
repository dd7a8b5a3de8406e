namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task RenewLeases_ExtendsOnlyTheOwnersRunningJobs()
    {
        var flow = NewFlow();
        var mine1 = await CreateAsync(flow, createdAt: T0);
        var mine2 = await CreateAsync(flow, createdAt: T0 + 1);
        var theirs = await CreateAsync(flow, createdAt: T0 + 2);
        var pending = await CreateAsync(NewFlow("idle"));
        Assert.Equal(2, (await ClaimAsync(flow, Owner, T0, max: 2, leaseUntil: T0 + 1000)).Count);
        await ClaimOneAsync(flow, theirs, owner: "worker-2", now: T0, leaseUntil: T0 + 1000);

        var kept = await Store.RenewLeasesAsync(Owner, [mine1, mine2, theirs, pending, NewId()], T0 + 60_000);

        Assert.Equal(new[] { mine1, mine2 }.Order(), kept.Order());
        var takenOver = await ClaimAsync(flow, owner: "worker-3", now: T0 + 2000, leaseUntil: T0 + 1_000_000);
        Assert.Equal(theirs, Assert.Single(takenOver).Id);
        Assert.Empty(await ClaimAsync(flow, owner: "worker-3", now: T0 + 59_000));
        Assert.Equal(2, (await ClaimAsync(flow, owner: "worker-3", now: T0 + 60_001)).Count);
    }

    [Fact]
    public async Task RenewLeases_DoesNotChangeTheVersion()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);

        Assert.Equal([id], await Store.RenewLeasesAsync(Owner, [id], T0 + 2 * Lease));

        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 10)));
    }

    [Fact]
    public async Task RenewLeases_EmptyList_ReturnsEmpty()
    {
        Assert.Empty(await Store.RenewLeasesAsync(Owner, [], T0));
    }

    [Fact]
    public async Task ExpiredLease_TakenOver_OldOwnerCanNeitherRenewNorCommit()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var old = await ClaimOneAsync(flow, id, now: T0, leaseUntil: T0 + 1000);
        var takeover = await ClaimOneAsync(flow, id, owner: "worker-2", now: T0 + 2000);

        Assert.Empty(await Store.RenewLeasesAsync(Owner, [id], T0 + 60_000));
        Assert.False(await CommitOneAsync(StepOf(old, JobStatus.Done, now: T0 + 2001)));
        Assert.False(await CommitOneAsync(StepOf(old, JobStatus.Done, now: T0 + 2001) with { ExpectedVersion = takeover.Version }));

        Assert.Equal(JobStatus.Running, (await GetAsync(id)).Status);
        Assert.True(await CommitOneAsync(StepOf(takeover, JobStatus.Done, owner: "worker-2", now: T0 + 2002)));
        Assert.Equal(JobStatus.Done, (await GetAsync(id)).Status);
    }

    [Fact]
    public async Task ExpiredLease_TwoWorkersRacingToRecover_ExactlyOneWins()
    {
        var second = await SecondInstanceOrStoreAsync();
        for (var round = 0; round < 10; round++)
        {
            var flow = NewFlow();
            var id = await CreateAsync(flow);
            var dead = await ClaimOneAsync(flow, id, owner: "dead", now: T0, leaseUntil: T0 + 100);

            var claims = await Task.WhenAll(
                Task.Run(() => ClaimAsync(flow, "recoverer-a", T0 + 1000)),
                Task.Run(() => ClaimAsync(flow, "recoverer-b", T0 + 1000, store: second)));

            Assert.Equal(1, claims.Sum(c => c.Count));
            var winner = claims[0].Count == 1 ? "recoverer-a" : "recoverer-b";
            var loser = winner == "recoverer-a" ? "recoverer-b" : "recoverer-a";
            var won = claims.Single(c => c.Count == 1)[0];

            // Both recoverers (and the dead worker, come back) try to commit the step: only the lease holder's commit counts.
            var commits = await Task.WhenAll(
                Task.Run(() => CommitOneAsync(StepOf(won, JobStatus.Done, owner: winner, now: T0 + 1001, output: winner))),
                Task.Run(() => CommitOneAsync(StepOf(won, JobStatus.Done, owner: loser, now: T0 + 1001, output: loser), second)),
                Task.Run(() => CommitOneAsync(StepOf(dead, JobStatus.Done, owner: "dead", now: T0 + 1001, output: "dead"))));

            Assert.Equal([true, false, false], commits);
            var stored = await GetAsync(id);
            Assert.Equal(JobStatus.Done, stored.Status);
            Assert.Equal(winner, StateContext.Deserialize(stored.ContextJson).Output<string>());
            Assert.Single(await HistoryAsync(id), e => e.Kind == JobEventKind.StepCompleted);
        }
    }
}
