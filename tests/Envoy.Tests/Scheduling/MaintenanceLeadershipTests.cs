using Envoy.Runtime.Coordination;
using Envoy.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Tests.Scheduling;

/// <summary>
/// <see cref="JobScheduler.IsMaintenanceLeader"/> is only as good as the lock's time-to-live (three maintenance intervals): a
/// leader whose renewal stalls stops saying it leads once that time has run out, since another scheduler may hold the lock by
/// then; it leads again as soon as a renewal succeeds.
/// </summary>
public sealed class MaintenanceLeadershipTests : SchedulerTestBase
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task IsMaintenanceLeader_TurnsFalseWhenARenewalStallsPastTheTimeToLive_AndTrueWhenItSucceeds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var leaderLock = new StallingLeaderLock();
        await using var scheduler = await StartAsync(leaderLock, time);
        await WaitUntilAsync(() => Task.FromResult(scheduler.IsMaintenanceLeader), "the first attempt won the lock");
        var firstAttempt = time.GetUtcNow();

        var stalled = leaderLock.StallNext();
        await AdvanceUntilAsync(time, () => leaderLock.Attempts == 2);
        var sinceFirst = time.GetUtcNow() - firstAttempt;
        Assert.InRange(sinceFirst, Interval, Interval * 3 - TimeSpan.FromMilliseconds(1));
        Assert.True(scheduler.IsMaintenanceLeader, "Within the time-to-live of the last won attempt, the scheduler still leads.");

        time.Advance(Interval * 3 - sinceFirst);
        Assert.False(scheduler.IsMaintenanceLeader, "Past the time-to-live with the renewal still pending, another may lead.");

        stalled.SetResult(true);
        await WaitUntilAsync(() => Task.FromResult(scheduler.IsMaintenanceLeader), "the renewal that finally succeeded restored the lead");
    }

    [Fact]
    public async Task IsMaintenanceLeader_TurnsFalseAtOnceWhenARenewalIsRefused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var leaderLock = new StallingLeaderLock();
        await using var scheduler = await StartAsync(leaderLock, time);
        await WaitUntilAsync(() => Task.FromResult(scheduler.IsMaintenanceLeader), "the first attempt won the lock");

        var stalled = leaderLock.StallNext();
        await AdvanceUntilAsync(time, () => leaderLock.Attempts == 2);
        stalled.SetResult(false);
        await WaitUntilAsync(() => Task.FromResult(!scheduler.IsMaintenanceLeader), "the refused renewal ended the lead");
    }

    private async Task<JobScheduler> StartAsync(ILeaderLock leaderLock, TimeProvider time)
    {
        var store = new SqliteJobStore(new SqliteStoreOptions { Path = DatabasePath }, time);
        await store.InitializeAsync();
        var scheduler = new JobScheduler(StoreProxy.Wrap(store, leaderLock), new SchedulerConfig { MaintenanceInterval = Interval }, time);
        await scheduler.StartAsync();
        return scheduler;
    }

    /// <summary>Moves the fake clock forward in 50 ms steps until <paramref name="condition"/> holds (with a real-time deadline).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The maintenance loop did not try the lock again.");
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(20);
        }
    }

    /// <summary>A lock that grants every attempt, except the one after <see cref="StallNext"/>, which waits for the test.</summary>
    private sealed class StallingLeaderLock : ILeaderLock
    {
        private TaskCompletionSource<bool>? _stall;
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public string Description => "test lock";

        public TaskCompletionSource<bool> StallNext()
        {
            var stall = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _stall, stall);
            return stall;
        }

        public Task<bool> TryHoldAsync(TimeSpan timeToLive, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            return Interlocked.Exchange(ref _stall, null) is { } stall ? stall.Task.WaitAsync(cancellationToken) : Task.FromResult(true);
        }

        public Task ReleaseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
