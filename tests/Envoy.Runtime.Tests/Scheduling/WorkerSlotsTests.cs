using Envoy.Runtime.Execution;
using Envoy.Runtime.Storage;

// Every wait these tests start completes (and is awaited) before its job and the slots are disposed.
#pragma warning disable CA2025

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// The slot hand-off behind claiming ahead: a slot given back goes to the job that has waited longest, else to the free
/// slots; stopping signals only the jobs still waiting, never one that already took a slot.
/// </summary>
public sealed class WorkerSlotsTests
{
    [Fact]
    public async Task Give_HandsTheSlotToTheLongestWaitingJob_ThenToTheFreeSlots()
    {
        using var slots = new WorkerSlots(1);
        Assert.True(slots.TryTake());
        using var first = Job("first");
        using var second = Job("second");
        var firstWait = slots.WaitForHandoffAsync(first);
        var secondWait = slots.WaitForHandoffAsync(second);
        Assert.Equal(2, slots.Waiting);

        slots.Give();
        Assert.True(await firstWait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(secondWait.IsCompleted);
        slots.Give();
        Assert.True(await secondWait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(slots.TryTake());

        slots.Give();
        Assert.Equal(0, slots.Waiting);
        Assert.True(slots.TryTake());
    }

    [Fact]
    public async Task AWaitingJob_TakesASlotThatWasAlreadyFree()
    {
        using var slots = new WorkerSlots(1);
        using var job = Job("free");

        Assert.True(await slots.WaitForHandoffAsync(job).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(slots.TryTake());
    }

    [Fact]
    public async Task StopWaiting_SignalsOnlyTheJobsWithoutASlot_AndThoseThatComeLater()
    {
        using var slots = new WorkerSlots(1);
        using var running = Job("running");
        Assert.True(await slots.WaitForHandoffAsync(running).WaitAsync(TimeSpan.FromSeconds(10))); // took the free slot
        using var waiting = Job("waiting");
        var wait = slots.WaitForHandoffAsync(waiting);

        slots.StopWaiting();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(JobStopReason.Stopping, waiting.StopReason);
        Assert.Equal(JobStopReason.None, running.StopReason);
        Assert.False(running.Cancellation.IsCancellationRequested);

        using var late = Job("late");
        Assert.False(await slots.WaitForHandoffAsync(late).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(JobStopReason.Stopping, late.StopReason);
    }

    [Fact]
    public async Task AWaitingJobThatIsCancelled_StopsWaiting_AndTheNextSlotGoesOn()
    {
        using var slots = new WorkerSlots(1);
        Assert.True(slots.TryTake());
        using var cancelled = Job("cancelled");
        using var next = Job("next");
        var cancelledWait = slots.WaitForHandoffAsync(cancelled);
        var nextWait = slots.WaitForHandoffAsync(next);

        cancelled.Stop(JobStopReason.Cancelled);
        Assert.False(await cancelledWait.WaitAsync(TimeSpan.FromSeconds(10)));
        slots.Give();
        Assert.True(await nextWait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static RunningJob Job(string id) =>
        new(new JobRecord { Id = id, Flow = "f", Status = JobStatus.Running, ContextJson = "{}" }, maxRetries: 0);
}
