namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>Eager start: a job scheduled on a started scheduler with a free slot is inserted claimed and runs there at once.</summary>
public sealed class EagerStartTests : SchedulerTestBase
{
    [Fact]
    public async Task Schedule_WithAFreeSlot_RunsInTheSchedulingScheduler_AndIsNeverSeenPending()
    {
        var ranIn = new List<string>();
        // One slot per claim: a claim in flight (the safety poll, a wake-up from the other scheduler's writes) holds the slots
        // it asked for until it returns, so with the default batch it could hold all four at the moment of a schedule. With
        // one, three slots are always free here, which is what this test is about.
        var here = await StartSchedulerAsync(s => s.AddFlow("f", Recording("here", ranIn)), c => c.ClaimBatchSize = 1);
        await StartSchedulerAsync(s => s.AddFlow("f", Recording("other", ranIn)));

        for (var i = 0; i < 20; i++)
        {
            var id = await here.ScheduleAsync("f", i);
            Assert.NotEqual(JobStatus.Pending, (await here.GetJobAsync(id)).Status);
            await here.WaitForJobAsync(id, Timeout);
            var history = await here.GetJobHistoryAsync(id);
            Assert.Equal(JobEventKind.Scheduled, history[0].Kind);
            Assert.Equal(JobEventKind.Claimed, history[1].Kind);
            Assert.Equal(history[0].At, history[1].At);
        }

        Assert.Equal(Enumerable.Repeat("here", 20), ranIn);
    }

    [Fact]
    public async Task Schedule_WithEverySlotBusy_GoesThroughTheQueueToAnotherWorker()
    {
        var ranIn = new List<string>();
        var release = new TaskCompletionSource();
        var here = await StartSchedulerAsync(
            s => s.AddFlow("f", Recording("here", ranIn)).AddFlow("hold", OneState(async ctx =>
            {
                #pragma warning disable VSTHRD003 // The test owns this gate.
                await release.Task;
                #pragma warning restore VSTHRD003
                return ctx;
            })),
            c => c.Concurrency = 1);
        // Only this scheduler runs "hold": should its eager start miss the slot (held for a moment by a claim in flight),
        // the job still waits for this scheduler's one slot instead of finishing at once in the other.
        await StartSchedulerAsync(s => s.AddFlow("f", Recording("other", ranIn)));
        var hold = await here.ScheduleAsync("hold");
        await WaitUntilAsync(async () => (await here.GetJobAsync(hold)).Status == JobStatus.Running, "the only slot here is busy");

        var id = await here.ScheduleAsync("f", 1);
        await here.WaitForJobAsync(id, Timeout);

        Assert.Equal(["other"], ranIn);
        release.SetResult();
        Assert.Equal(JobStatus.Done, (await here.WaitForJobAsync(hold, Timeout)).Status);
    }

    [Fact]
    public async Task Schedule_TwiceWithOneIdempotencyKey_RunsTheJobOnce()
    {
        var ranIn = new List<string>();
        var here = await StartSchedulerAsync(s => s.AddFlow("f", Recording("here", ranIn)));
        var options = new ScheduleOptions { IdempotencyKey = "once" };

        var first = await here.ScheduleAsync("f", 1, options);
        var second = await here.ScheduleAsync("f", 2, options);
        await here.WaitForJobAsync(first, Timeout);
        await here.StopAsync();

        Assert.Equal(first, second);
        Assert.Equal(["here"], ranIn);
        Assert.Single(await here.ListJobsAsync());
    }

    [Fact]
    public async Task Schedule_Delayed_IsNotStartedEagerly()
    {
        var ranIn = new List<string>();
        var here = await StartSchedulerAsync(s => s.AddFlow("f", Recording("here", ranIn)));

        var id = await here.ScheduleAsync("f", 1, new ScheduleOptions { Delay = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(JobStatus.Pending, (await here.GetJobAsync(id)).Status);
        var job = await here.WaitForJobAsync(id, Timeout);
        Assert.True(job.StartedAt >= job.CreatedAt + TimeSpan.FromMilliseconds(300), "A delayed job starts once due.");
    }

    [Fact]
    public async Task Schedule_WithEagerStartOff_StillRunsThroughTheQueue()
    {
        var ranIn = new List<string>();
        var here = await StartSchedulerAsync(s => s.AddFlow("f", Recording("here", ranIn)), c => c.EagerStart = false);

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await here.ScheduleAsync("f", i));
        }

        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await here.WaitForJobAsync(id, Timeout)).Status);
        }

        Assert.Equal(5, ranIn.Count);
    }

    [Fact]
    public async Task Stop_RightAfterEagerSchedules_LeavesEveryJobToFinishOnTheNextStart()
    {
        var ranIn = new List<string>();
        var here = await StartSchedulerAsync(s => s.AddFlow("f", Recording("here", ranIn)));
        var scheduling = Enumerable.Range(0, 40).Select(i => here.ScheduleAsync("f", i)).ToList();

        await here.StopAsync();
        var ids = await Task.WhenAll(scheduling);
        await here.StartAsync();

        foreach (var id in ids)
        {
            Assert.Equal(JobStatus.Done, (await here.WaitForJobAsync(id, Timeout)).Status);
        }

        Assert.Equal(40, ranIn.Count);
    }

    private static StateFlow Recording(string where, List<string> ranIn) => OneState(async ctx =>
    {
        lock (ranIn)
        {
            ranIn.Add(where);
        }

        return ctx.Output(ctx.Input<int>());
    });
}
