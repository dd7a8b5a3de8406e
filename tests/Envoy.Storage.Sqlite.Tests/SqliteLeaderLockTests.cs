using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite.Tests;

/// <summary>
/// One maintenance leader per SQLite file across processes. The second store opens the file through a symbolic link to its
/// directory, so that, like another process, it shares no in-process state with the first (same file, another path).
/// </summary>
public sealed class SqliteLeaderLockTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _link;

    public SqliteLeaderLockTests()
    {
        _link = TempDirectory.NewPath();
        Directory.CreateSymbolicLink(_link, _directory.Path);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_link);
        _directory.Dispose();
    }

    [Fact]
    public async Task LeaderLock_TwoStoresOnOneFile_OneHoldsAtATime_AndTheOtherTakesOverOnRelease()
    {
        await using var first = await OpenAsync(_directory.Path);
        await using var second = await OpenAsync(_link);
        await using var a = first.CreateLeaderLock();
        await using var b = second.CreateLeaderLock();

        Assert.True(await a.TryHoldAsync(TimeSpan.FromSeconds(1)));
        Assert.False(await b.TryHoldAsync(TimeSpan.FromSeconds(1)), "A second holder on the same file must not lead while the first does.");
        Assert.True(await a.TryHoldAsync(TimeSpan.FromSeconds(1)), "The holder keeps the lock when it renews.");

        await a.ReleaseAsync();

        Assert.True(await b.TryHoldAsync(TimeSpan.FromSeconds(1)));
        Assert.False(await a.TryHoldAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task LeaderLock_TwoSchedulersOnOneFile_OneLeads_AndTheOtherTakesOverWhenItStops()
    {
        await using var first = await OpenAsync(_directory.Path);
        await using var second = await OpenAsync(_link);
        var config = new SchedulerOptions { MaintenanceInterval = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromMilliseconds(100) };
        await using var one = new Scheduler(first, config, TimeProvider.System, ownsStore: false);
        await using var two = new Scheduler(second, config, TimeProvider.System, ownsStore: false);
        await one.StartAsync();
        await WaitUntilAsync(() => one.IsMaintenanceLeader, "the first scheduler leads");
        await two.StartAsync();

        // The second keeps trying every interval; the lock is held, so it never leads while the first runs.
        await using (var probe = second.CreateLeaderLock())
        {
            Assert.False(await probe.TryHoldAsync(TimeSpan.FromSeconds(1)));
        }

        Assert.False(two.IsMaintenanceLeader);
        await one.StopAsync();

        await WaitUntilAsync(() => two.IsMaintenanceLeader, "the second scheduler takes over");
        Assert.False(one.IsMaintenanceLeader);
    }

    private static async Task<SqliteJobStore> OpenAsync(string directory)
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = Path.Combine(directory, "envoy.db") });
        await store.InitializeAsync();
        return store;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "Timed out waiting until " + because + ".");
            await Task.Delay(10);
        }
    }
}
