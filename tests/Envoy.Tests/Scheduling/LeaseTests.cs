namespace Envoy.Tests.Scheduling;

/// <summary>Leases measured in hundreds of milliseconds: run alone, so that other tests' load cannot starve the renewals.</summary>
[Collection(SerialTests.Name)]
public sealed class LeaseTests : SchedulerTestBase
{
    [Fact]
    public async Task StepLongerThanTheLease_IsNotStartedTwice()
    {
        var runs = 0;
        StateFlow Slow() => OneState(async ctx =>
        {
            Interlocked.Increment(ref runs);
            await Task.Delay(TimeSpan.FromSeconds(1.5), ctx.CancellationToken);
            return ctx.Output("slow");
        });
        void Short(SchedulerConfig c)
        {
            c.LeaseDuration = TimeSpan.FromMilliseconds(500);
            c.PollInterval = TimeSpan.FromMilliseconds(50);
        }

        var first = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);
        var second = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);

        var ids = new[] { await first.ScheduleAsync("slow"), await second.ScheduleAsync("slow") };
        var jobs = await Task.WhenAll(ids.Select(id => first.WaitForJobAsync(id, Timeout)));

        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        Assert.Equal(2, Volatile.Read(ref runs));
        foreach (var id in ids)
        {
            var history = await first.GetJobHistoryAsync(id);
            Assert.Single(history, e => e.Kind == JobEventKind.Claimed);
            Assert.True(Assert.Single(history, e => e.Kind == JobEventKind.StepCompleted).Duration > TimeSpan.FromSeconds(1.4), "The step must outlive its lease several times over.");
        }
    }

    [Fact]
    public async Task GracefulStop_KeepsRenewingTheLeaseOfAStepThatIsFinishing()
    {
        var runs = 0;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StateFlow Slow() => OneState(async ctx =>
        {
            Interlocked.Increment(ref runs);
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(1.5), ctx.CancellationToken);
            return ctx.Output("finished while stopping");
        });
        void Short(SchedulerConfig c)
        {
            c.LeaseDuration = TimeSpan.FromMilliseconds(500);
            c.PollInterval = TimeSpan.FromMilliseconds(50);
        }

        var stopping = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);
        var id = await stopping.ScheduleAsync("slow");
        await started.Task.WaitAsync(Timeout);
        var other = await StartSchedulerAsync(s => s.AddFlow("slow", Slow()), Short);

        using var deadline = new CancellationTokenSource(Timeout);
        await stopping.StopAsync(deadline.Token);

        var job = await other.WaitForJobAsync(id, Timeout);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("finished while stopping", job.Context.Output<string>());
        Assert.Equal(1, job.Attempts);
        Assert.Equal(1, Volatile.Read(ref runs));
    }
}
