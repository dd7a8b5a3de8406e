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
}
