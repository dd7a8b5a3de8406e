namespace Envoy.Runtime.Tests.Scheduling;

public sealed class WaitForJobTests : SchedulerTestBase
{
    [Fact]
    public async Task WaitForJob_InfiniteTimeout_WaitsUntilTheJobFinishes()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")));
        var id = await scheduler.ScheduleAsync("hook");
        await WaitForBlockingAsync(scheduler, id, "go");

        var waiting = scheduler.WaitForJobAsync(id, System.Threading.Timeout.InfiniteTimeSpan);
        Assert.False(waiting.IsCompleted, "An infinite wait must not end while the job is blocking.");
        await scheduler.ResolveBlockingJobAsync(id, "go", 7);
        var job = await waiting.WaitAsync(Timeout);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(7, job.Context.Output<int>());
    }

    [Fact]
    public async Task WaitForJob_InfiniteTimeout_EndsWithItsToken()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")));
        var id = await scheduler.ScheduleAsync("hook");
        await WaitForBlockingAsync(scheduler, id, "go");
        using var cancel = new CancellationTokenSource();

        var waiting = scheduler.WaitForJobAsync(id, System.Threading.Timeout.InfiniteTimeSpan, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
    }

    [Fact]
    public async Task WaitForJob_NegativeTimeout_IsRefused()
    {
        var scheduler = await StartSchedulerAsync(s => s.AddFlow("hook", WaitsFor("go")));
        var id = await scheduler.ScheduleAsync("hook");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(-2)));
    }
}
