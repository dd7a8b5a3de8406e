namespace Envoy.Storage.Conformance;

/// <summary>
/// Concurrency limits in claim order (issue 18, limits that do not bind cost little): limited jobs are claimed in the plain
/// claim order (priority, run-at, age) over every key; a job met with its key full is parked, and a key's parked jobs start
/// before its newer jobs as its slots free, even while newer jobs of other keys would fill every claim.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Concurrency_LimitsThatDoNotBind_ClaimInPlainOrderOverEveryKey()
    {
        var flow = NewFlow("limited");
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await Store.CreateJobAsync(LimitedJobOf(flow, $"key-{i % 4}", 5, runAt: T0 + i, createdAt: T0 + i)));
        }

        var first = await ClaimAsync(flow, now: T0 + 100, max: 3);
        var second = await ClaimAsync(flow, "worker-2", now: T0 + 101, max: 3);

        Assert.Equal(ids.Take(3).Order(), first.Select(j => j.Id).Order());
        Assert.Equal(ids.Skip(3).Take(3).Order(), second.Select(j => j.Id).Order());
    }

    [Fact]
    public async Task Concurrency_AKeysParkedJobs_StartInOrder_BeforeItsNewerJobs()
    {
        var flow = NewFlow("limited");
        var ids = await CreateLimitedAsync(flow, "k", 1, 3);
        var first = Assert.Single(await ClaimAsync(flow, now: T0 + 10, max: 10));
        Assert.Equal(ids[0], first.Id);
        ids.Add(await Store.CreateJobAsync(LimitedJobOf(flow, "k", 1, runAt: T0 + 20, createdAt: T0 + 20)));

        var order = new List<string> { first.Id };
        var running = first;
        var now = T0 + 30;
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await CommitOneAsync(StepOf(running, JobStatus.Done, now: now)));
            running = Assert.Single(await ClaimAsync(flow, now: now + 1, max: 10));
            order.Add(running.Id);
            now += 10;
        }

        Assert.Equal(ids, order);
    }

    [Fact]
    public async Task Concurrency_AFreedKeysParkedJob_StartsEvenWhenNewerJobsOfOtherKeysWouldFillTheClaim()
    {
        var flow = NewFlow("limited");
        var ids = await CreateLimitedAsync(flow, "slow", 1, 2);
        var first = Assert.Single(await ClaimAsync(flow, now: T0 + 10, max: 10));
        for (var i = 0; i < 5; i++)
        {
            await Store.CreateJobAsync(LimitedJobOf(flow, $"other-{i}", 1, runAt: T0 + 20 + i, createdAt: T0 + 20 + i));
            await CreateAsync(flow, createdAt: T0 + 30 + i);
        }

        Assert.True(await CommitOneAsync(StepOf(first, JobStatus.Done, now: T0 + 40)));

        var next = Assert.Single(await ClaimAsync(flow, now: T0 + 50, max: 1));
        Assert.Equal(ids[1], next.Id);
    }
}
