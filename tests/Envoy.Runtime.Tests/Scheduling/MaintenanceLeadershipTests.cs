using Envoy.Runtime.Coordination;
using Envoy.Storage.Sqlite;
using Envoy.Testing;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// <see cref="Scheduler.IsMaintenanceLeader"/> is only as good as the lock's time-to-live (three maintenance intervals): a
/// leader whose renewal stalls stops saying it leads once that time has run out, since another scheduler may hold the lock by
/// then; it leads again as soon as a renewal succeeds.
/// </summary>
public sealed class MaintenanceLeadershipTests : SchedulerTestBase
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Unlike the interval, so the maintenance loop's timer is the only one armed for one interval.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(7);

    [Fact]
    public async Task IsMaintenanceLeader_TurnsFalseWhenARenewalStallsPastTheTimeToLive_AndTrueWhenItSucceeds()
    {
        var time = new TimerWatchingTimeProvider();
        var leaderLock = new StallingLeaderLock();
        await using var scheduler = await StartAsync(leaderLock, time);
        await WaitUntilAsync(() => Task.FromResult(scheduler.IsMaintenanceLeader), "the first attempt won the lock");
        var firstAttempt = time.GetUtcNow();

        var stalled = leaderLock.StallNext();
        await NextAttemptAsync(time, leaderLock);
        Assert.Equal(2, leaderLock.Attempts);
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
        var time = new TimerWatchingTimeProvider();
        var leaderLock = new StallingLeaderLock();
        await using var scheduler = await StartAsync(leaderLock, time);
        await WaitUntilAsync(() => Task.FromResult(scheduler.IsMaintenanceLeader), "the first attempt won the lock");

        var stalled = leaderLock.StallNext();
        await NextAttemptAsync(time, leaderLock);
        Assert.Equal(2, leaderLock.Attempts);
        stalled.SetResult(false);
        await WaitUntilAsync(() => Task.FromResult(!scheduler.IsMaintenanceLeader), "the refused renewal ended the lead");
    }

    private async Task<Scheduler> StartAsync(ILeaderLock leaderLock, TimeProvider time)
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath }, time);
        await store.InitializeAsync();
        var scheduler = new Scheduler(StoreProxy.Wrap(store, leaderLock), new SchedulerConfig { MaintenanceInterval = Interval, PollInterval = PollInterval }, time);
        await scheduler.StartAsync();
        return scheduler;
    }

    /// <summary>
    /// Waits until the maintenance loop has armed its wait for the next attempt (a timer of one interval: the poll interval is
    /// set apart from it), advances the clock past it, and waits until that attempt reaches the lock (the stalled one).
    /// </summary>
    private static async Task NextAttemptAsync(TimerWatchingTimeProvider time, StallingLeaderLock leaderLock)
    {
        await time.AdvanceToNextTimerAsync(due => due == Interval, Timeout);
        await leaderLock.WaitUntilStalledAsync(Timeout);
    }

    /// <summary>A lock that grants every attempt, except the one after <see cref="StallNext"/>, which waits for the test.</summary>
    private sealed class StallingLeaderLock : ILeaderLock
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource<bool>? _stall;
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        /// <summary>Waits (at most <paramref name="timeout"/>) until the attempt <see cref="StallNext"/> set up has reached the lock.</summary>
        public Task WaitUntilStalledAsync(TimeSpan timeout) => _stalled.Task.WaitAsync(timeout);

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
            if (Interlocked.Exchange(ref _stall, null) is { } stall)
            {
                _stalled.TrySetResult();
                return stall.Task.WaitAsync(cancellationToken);
            }

            return Task.FromResult(true);
        }

        public Task ReleaseAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
