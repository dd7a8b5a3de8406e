using System.Globalization;
using System.Security.Cryptography;

namespace Envoy.TestServers.Processes;

/// <summary>
/// A server's temporary folder, <c>/tmp/envoy-testservers/{kind}-{owner pid}-{random}</c>. The owner PID in the name
/// lets a later test run find folders (and servers) left behind by a test host that was SIGKILLed; the
/// <c>port</c> and <c>server.pid</c> files inside say which port is taken and which process serves from it.
/// </summary>
internal sealed class ServerDirectory : IDisposable
{
    private const string PortFile = "port";
    private const string PidFile = "server.pid";
    private static int reaped;

    private ServerDirectory(string path) => Path = path;

    /// <summary>Where all servers' folders live: under /tmp as root, so that the postgres user can reach them.</summary>
    public static string Root { get; } = System.IO.Path.Combine(
        Environment.IsPrivilegedProcess ? "/tmp" : System.IO.Path.GetTempPath(), "envoy-testservers");

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Creates a new empty folder for a server of the given kind ("pg", "redis").</summary>
    public static ServerDirectory Create(string kind)
    {
        EnsureRoot();
        var path = System.IO.Path.Combine(Root, NewName(kind));
        Directory.CreateDirectory(path);
        ExitCleanup.Track(path);
        return new ServerDirectory(path);
    }

    /// <summary>The ports recorded by every server folder on this machine (this and other test runs).</summary>
    public static IReadOnlySet<int> ReservedPorts()
    {
        var ports = new HashSet<int>();
        if (!Directory.Exists(Root))
        {
            return ports;
        }

        foreach (var directory in SafeEnumerate())
        {
            if (int.TryParse(ReadOrNull(System.IO.Path.Combine(directory, PortFile)), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>
    /// Once per test host: for each folder whose owning test host is gone, SIGKILLs the server still serving from it
    /// (only if that PID's working directory is inside the folder, so a reused PID is never touched) and deletes it.
    /// </summary>
    public static void ReapStale()
    {
        if (Interlocked.Exchange(ref reaped, 1) == 0)
        {
            _ = ReapStaleNow();
        }
    }

    /// <summary>
    /// The work of <see cref="ReapStale"/>, every time it is called: the kills happen before it returns, the
    /// deletions (slow on a busy disk) in the returned task.
    /// </summary>
    internal static Task ReapStaleNow()
    {
        if (!Directory.Exists(Root))
        {
            return Task.CompletedTask;
        }

        var stale = new List<string>();
        foreach (var directory in SafeEnumerate())
        {
            var parts = System.IO.Path.GetFileName(directory).Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                || owner == Environment.ProcessId || Directory.Exists($"/proc/{owner}"))
            {
                continue;
            }

            KillServerIn(directory);
            stale.Add(directory);
        }

        return stale.Count == 0 ? Task.CompletedTask : Task.Run(() => stale.ForEach(TryDelete));
    }

    /// <summary>Records the port this folder's server listens on.</summary>
    public void RecordPort(int port) => File.WriteAllText(System.IO.Path.Combine(Path, PortFile), port.ToString(CultureInfo.InvariantCulture));

    /// <summary>Records the PID of the server that serves from this folder.</summary>
    public void RecordPid(int pid) => File.WriteAllText(System.IO.Path.Combine(Path, PidFile), pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>Hands the (empty) folder to an OS user, so that a server that refuses root can write in it.</summary>
    public Task GiveToAsync(string userName, CancellationToken cancellationToken) =>
        ServerProcess.RunAsync("chown", [userName + ":", Path], Root, userName: null, TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary>
    /// Removes the folder; call after its server has exited. The folder is renamed away at once and deleted in the
    /// background: on a busy disk, unlinking a cluster that was just fsynced can take seconds. A trash folder left
    /// by a host that exits first is reaped by a later run like any other stale folder.
    /// </summary>
    public void Dispose()
    {
        ExitCleanup.Untrack(Path);
        var trash = System.IO.Path.Combine(Root, NewName("trash"));
        try
        {
            Directory.Move(Path, trash);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(Path);
            return;
        }

        ExitCleanup.Track(trash);
        _ = Task.Run(() =>
        {
            TryDelete(trash);
            ExitCleanup.Untrack(trash);
        });
    }

    /// <summary>Deletes a folder tree, ignoring failures (best effort on cleanup paths).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A concurrent reaper, or a file still being written by a dying process; /tmp is cleared eventually.
        }
    }

    /// <summary>Whether process <paramref name="pid"/> runs with its working directory inside <paramref name="directory"/>.</summary>
    internal static bool RunsIn(int pid, string directory)
    {
        try
        {
            var cwd = Directory.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: false)?.FullName;
            return cwd is not null
                && (cwd == directory || cwd.StartsWith(directory + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string NewName(string kind) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    private static void KillServerIn(string directory)
    {
        if (int.TryParse(ReadOrNull(System.IO.Path.Combine(directory, PidFile)), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && RunsIn(pid, directory))
        {
            // PostgreSQL's backends notice their postmaster's death and exit on their own.
            _ = NativeMethods.Kill(pid, NativeMethods.SigKill);
        }
    }

    private static void EnsureRoot()
    {
        if (Directory.Exists(Root))
        {
            return;
        }

        // Sticky and world-writable like /tmp (set after creation: the umask would strip it): test runs as root and
        // as a developer can share it, and the postgres user can reach its folder inside.
        Directory.CreateDirectory(Root);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit);
        }
        catch (UnauthorizedAccessException)
        {
            // Created at the same moment by another user's test run, which set the same mode.
        }
    }

    private static IEnumerable<string> SafeEnumerate()
    {
        try
        {
            return Directory.GetDirectories(Root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? ReadOrNull(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
