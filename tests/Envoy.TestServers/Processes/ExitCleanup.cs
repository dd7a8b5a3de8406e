using System.Collections.Concurrent;

namespace Envoy.TestServers.Processes;

/// <summary>
/// The safety net behind every Dispose: when the test host exits (normally or on SIGTERM/SIGINT) without having
/// disposed a server, this kills the processes this library started and deletes their folders. A host that is
/// SIGKILLed cannot run this; <see cref="ServerDirectory.ReapStale"/> cleans up after it on the next start.
/// </summary>
internal static class ExitCleanup
{
    private static readonly ConcurrentDictionary<ServerProcess, byte> Processes = new();
    private static readonly ConcurrentDictionary<string, byte> Directories = new(StringComparer.Ordinal);

    static ExitCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
    }

    public static void Track(ServerProcess process) => Processes.TryAdd(process, 0);

    public static void Untrack(ServerProcess process) => Processes.TryRemove(process, out _);

    public static void Track(string directory) => Directories.TryAdd(directory, 0);

    public static void Untrack(string directory) => Directories.TryRemove(directory, out _);

    private static void RunAll()
    {
        foreach (var process in Processes.Keys)
        {
            process.KillTree();
        }

        foreach (var directory in Directories.Keys)
        {
            ServerDirectory.TryDelete(directory);
        }
    }
}
