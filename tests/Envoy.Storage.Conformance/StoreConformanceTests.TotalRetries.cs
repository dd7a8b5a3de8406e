using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>
/// The stored count of every retry (<see cref="JobRecord.TotalRetries"/>): automatic retries and retries by hand, never reset,
/// written with the retry itself, and read back by every read (one job, several, a list page).
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task TotalRetries_CountsEachAutomaticRetry_AndKeepsThemWhenTheJobFails()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 1) with { Retries = 1, Error = "flaky", RunAtMs = T0 + 1 }));
        Assert.Equal(1, (await GetAsync(id)).TotalRetries);

        claimed = await ClaimOneAsync(flow, id, now: T0 + 2);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 3) with { Retries = 2, Error = "flaky", RunAtMs = T0 + 3 }));
        claimed = await ClaimOneAsync(flow, id, now: T0 + 4);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Running, now: T0 + 5)));
        claimed = await GetAsync(id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Failed, now: T0 + 6) with { Error = "broke" }));

        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Retries);
        Assert.Equal(2, job.TotalRetries);
        await AssertTotalRetriesInEveryReadAsync(flow, id, 2);
    }

    [Fact]
    public async Task TotalRetries_ARetryByHandCounts_AndDoesNotResetIt()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        var claimed = await ClaimOneAsync(flow, id);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 1) with { Retries = 1, Error = "flaky", RunAtMs = T0 + 1 }));
        claimed = await ClaimOneAsync(flow, id, now: T0 + 2);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Failed, now: T0 + 3) with { Error = "broke" }));

        Assert.Equal(StoreOutcome.Ok, (await Store.RetryJobAsync(id, T0 + 10)).Outcome);

        var job = await GetAsync(id);
        Assert.Equal(0, job.Retries);
        Assert.Equal(2, job.TotalRetries);

        // The fresh budget's first automatic retry adds to the total; the total never goes back.
        claimed = await ClaimOneAsync(flow, id, now: T0 + 20);
        Assert.Equal(0, claimed.Retries);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Pending, now: T0 + 21) with { Retries = 1, Error = "flaky", RunAtMs = T0 + 21 }));
        job = await GetAsync(id);
        Assert.Equal(1, job.Retries);
        Assert.Equal(3, job.TotalRetries);
        await AssertTotalRetriesInEveryReadAsync(flow, id, 3);
    }

    [Fact]
    public async Task TotalRetries_AJobCancelledBeforeItEverRan_ThenRetriedByHand_CountsOne()
    {
        var flow = NewFlow();
        var id = await CreateAsync(flow);
        Assert.Equal(StoreOutcome.Ok, (await Store.FinishJobAsync(id, JobStatus.Cancelled, "cancelled", T0 + 1)).Outcome);
        Assert.Equal(0, (await GetAsync(id)).TotalRetries);

        Assert.Equal(StoreOutcome.Ok, (await Store.RetryJobAsync(id, T0 + 2)).Outcome);
        await AssertTotalRetriesInEveryReadAsync(flow, id, 1);

        // It then runs to the end after one claim: still one retry.
        var claimed = await ClaimOneAsync(flow, id, now: T0 + 3);
        Assert.True(await CommitOneAsync(StepOf(claimed, JobStatus.Done, now: T0 + 4)));
        var job = await GetAsync(id);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(1, job.Attempts);
        Assert.Equal(1, job.TotalRetries);
        await AssertTotalRetriesInEveryReadAsync(flow, id, 1);
    }

    [Fact]
    public async Task TotalRetries_ThroughTheScheduler_EqualsTheRetriesInTheHistory()
    {
        var scheduler = NewScheduler(configure: c => c.MaxRetries = 1);
        var flow = NewFlow("fails");
        scheduler.AddFlow(flow, new StateFlow([new State("Break") { OnState = _ => throw new InvalidOperationException("always broken") }]));
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync(flow, 1);
        var job = await scheduler.WaitForJobAsync(id, JobTimeout);
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Retries);
        Assert.Equal(1, job.TotalRetries);

        await scheduler.RetryJobAsync(id);
        job = await scheduler.WaitForJobAsync(id, JobTimeout);
        Assert.Equal(JobStatus.Failed, job.Status);
        var history = await scheduler.GetJobHistoryAsync(id);
        var retriesInHistory = history.Count(e => e.Kind == JobEventKind.Retried || (e.Kind == JobEventKind.StepFailed && e.To == JobStatus.Pending));
        Assert.Equal(3, retriesInHistory);
        Assert.Equal(1, job.Retries);
        Assert.Equal(3, job.TotalRetries);
    }

    /// <summary>The job's total read one by one, among several, and in a list page of its flow.</summary>
    private async Task AssertTotalRetriesInEveryReadAsync(string flow, string id, int expected)
    {
        Assert.Equal(expected, (await GetAsync(id)).TotalRetries);
        Assert.Equal(expected, Assert.Single(await Store.GetJobsAsync([id])).TotalRetries);
        Assert.Equal(expected, Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow })).TotalRetries);
        var status = (await GetAsync(id)).Status;
        Assert.Equal(expected, Assert.Single(await Store.ListJobsAsync(new JobQuery { Flow = flow, Status = status })).TotalRetries);
    }
}
