using System.Diagnostics;
using System.Globalization;
using Envoy.TestServers.Processes;

namespace Envoy.TestServers.Tests;

/// <summary>A test host killed with SIGKILL cannot stop its servers; the next run's first start does.</summary>
public sealed class StaleServerReaperTests
{
    [Fact]
    public async Task ReapStale_KillsTheServerOfADeadTestHost_AndDeletesItsFolder()
    {
        var deadOwner = await DeadPidAsync();
        var folder = Path.Combine(ServerDirectory.Root, $"fake-{deadOwner}-0badc0de");
        // Made whole under a name no reaper matches, then moved into place: the once-per-process reap that another test's
        // server start triggers may run at any moment, and a folder it saw before its PID file was written it would delete
        // without killing anything.
        var staging = Path.Combine(ServerDirectory.Root, $"staging{deadOwner}");
        Directory.CreateDirectory(staging);
        using var orphan = Process.Start(new ProcessStartInfo("sleep", "300") { WorkingDirectory = staging })!;
        await File.WriteAllTextAsync(Path.Combine(staging, "server.pid"), orphan.Id.ToString(CultureInfo.InvariantCulture));
        Directory.Move(staging, folder);

        await ServerDirectory.ReapStaleNow();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await orphan.WaitForExitAsync(timeout.Token);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task ReapStale_LeavesTheFoldersOfLiveTestHosts()
    {
        var folder = Path.Combine(ServerDirectory.Root, $"fake-{Environment.ProcessId}-0dd0dd00");
        Directory.CreateDirectory(folder);
        try
        {
            await ServerDirectory.ReapStaleNow();

            Assert.True(Directory.Exists(folder));
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    private static async Task<int> DeadPidAsync()
    {
        using var finished = Process.Start("true")!;
        await finished.WaitForExitAsync();
        return finished.Id;
    }
}
