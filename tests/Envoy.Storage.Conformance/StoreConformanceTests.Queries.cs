using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ListJobs_FiltersByFlowStatusParentAndCreationTime_NewestFirst()
    {
        var flow = NewFlow();
        var other = NewFlow("other");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + (i * 100), runAt: T0 + (i * 100)));
        }

        var otherId = await CreateAsync(other, createdAt: T0 + 250);
        var child = await CreateAsync(other, createdAt: T0 + 260, parentId: ids[0]);
        await ClaimOneAsync(flow, ids[0], now: T0 + 1000);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(ids[1], JobStatus.Cancelled, "cancelled", T0 + 1000)).Outcome);

        var byFlow = await Store.ListJobsAsync(new JobQuery { Flow = flow });
        var pending = await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Pending });
        var running = await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Running });
        var cancelled = await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Cancelled });
        var children = await Store.ListJobsAsync(new JobQuery { ParentId = ids[0] });
        var window = await Store.ListJobsAsync(new JobQuery { Flow = flow, CreatedAfter = At(T0 + 100), CreatedBefore = At(T0 + 400) });
        var otherFlow = await Store.ListJobsAsync(new JobQuery { Flow = other, CreatedAfter = At(T0 + 250) });

        Assert.Equal(Enumerable.Reverse(ids), byFlow.Select(j => j.Id));
        Assert.Equal([ids[5], ids[4], ids[3], ids[2]], pending.Select(j => j.Id));
        Assert.Equal(ids[0], Assert.Single(running).Id);
        Assert.Equal(ids[1], Assert.Single(cancelled).Id);
        Assert.Equal(child, Assert.Single(children).Id);
        Assert.Equal([ids[3], ids[2], ids[1]], window.Select(j => j.Id));
        Assert.Equal([child, otherId], otherFlow.Select(j => j.Id));
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = JobStatus.Done }));
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = NewFlow("none") }));
    }

    [Fact]
    public async Task ListJobs_PagesWithOffsetAndLimit()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0 + i));
        }

        var newestFirst = Enumerable.Reverse(ids).ToList();
        var pages = new List<string>();
        for (var offset = 0; offset < 9; offset += 3)
        {
            var page = await Store.ListJobsAsync(new JobQuery { Flow = flow, Offset = offset, Limit = 3 });
            Assert.True(page.Count <= 3);
            pages.AddRange(page.Select(j => j.Id));
        }

        Assert.Equal(newestFirst, pages);
        Assert.Equal(newestFirst.Skip(2).Take(2), (await Store.ListJobsAsync(new JobQuery { Flow = flow, Offset = 2, Limit = 2 })).Select(j => j.Id));
        Assert.Empty(await Store.ListJobsAsync(new JobQuery { Flow = flow, Offset = 7 }));
        Assert.Equal(7, (await Store.ListJobsAsync(new JobQuery { Flow = flow })).Count);
    }

    [Fact]
    public async Task ListJobs_JobsCreatedAtTheSameTime_KeepInsertionOrder()
    {
        var flow = NewFlow();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync(flow, createdAt: T0));
        }

        var listed = await Store.ListJobsAsync(new JobQuery { Flow = flow });

        Assert.Equal(Enumerable.Reverse(ids), listed.Select(j => j.Id));
    }

    [Fact]
    public async Task History_ListsEveryChangeInOrder()
    {
        var flow = NewFlow();
        var blocked = await BlockAsync(flow, ["hook"], now: T0);
        await Store.ResolveWaitAsync(new WaitResolution(blocked.Id, "hook", WaitResolutionKind.Success, null, null, T0 + 10));
        var claimed = await ClaimOneAsync(flow, blocked.Id, now: T0 + 20);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 30) with { Error = "flaky", Retries = 1, RunAtMs = T0 + 40, ConsumedWaits = true, Events = [new JobEvent(blocked.Id, At(T0 + 30), JobEventKind.StepFailed, "B", 2, JobStatus.Running, JobStatus.Pending, TimeSpan.FromMilliseconds(4), "flaky")] }));
        var again = await ClaimOneAsync(flow, blocked.Id, now: T0 + 40);
        Assert.True(await CommitOneAsync(StepOf(again, JobStatus.Failed, now: T0 + 50) with { Error = "boom", Retries = 1, Events = [new JobEvent(blocked.Id, At(T0 + 50), JobEventKind.StepFailed, "B", 2, JobStatus.Running, JobStatus.Failed, TimeSpan.FromMilliseconds(5), "boom")] }));
        await Store.RetryJobAsync(blocked.Id, T0 + 60);
        await Store.FinishJobAsync(blocked.Id, JobStatus.Cancelled, "cancelled", T0 + 70);

        var history = await HistoryAsync(blocked.Id);

        Assert.Equal(
            [
                JobEventKind.Scheduled, JobEventKind.Claimed, JobEventKind.StepCompleted, JobEventKind.WaitResolved, JobEventKind.Claimed,
                JobEventKind.StepFailed, JobEventKind.Claimed, JobEventKind.StepFailed, JobEventKind.Retried, JobEventKind.Cancelled,
            ],
            history.Select(e => e.Kind));
        Assert.All(history, e => Assert.Equal(blocked.Id, e.JobId));
        Assert.Equal(history.Select(e => e.At).Order(), history.Select(e => e.At));
        var failed = history[7];
        Assert.Equal("B", failed.State);
        Assert.Equal(2, failed.Step);
        Assert.Equal(JobStatus.Running, failed.From);
        Assert.Equal(JobStatus.Failed, failed.To);
        Assert.Equal(TimeSpan.FromMilliseconds(5), failed.Duration);
        Assert.Equal("boom", failed.Error);
    }

    [Fact]
    public async Task NextDueAt_IsTheEarliestRunAtNotYetDue()
    {
        var flow = NewFlow();
        await CreateAsync(flow, runAt: T0 - 10);
        await CreateAsync(flow, runAt: T0 + 5000);
        await CreateAsync(flow, runAt: T0 + 2000);

        Assert.Equal(T0 + 2000, await Store.NextDueAtAsync(T0));
        Assert.Equal(T0 + 5000, await Store.NextDueAtAsync(T0 + 2000));
    }

    [Fact]
    public async Task NextDueAt_EmptyStore_IsNull()
    {
        Assert.Null(await Store.NextDueAtAsync(T0));
    }
}
