using System.Runtime.InteropServices;

namespace Envoy.TestServers.Processes;

/// <summary>kill(2): .NET can only send SIGKILL, and the servers need SIGINT/SIGTERM for a clean, fast shutdown.</summary>
internal static partial class NativeMethods
{
    internal const int SigInt = 2;
    internal const int SigQuit = 3;
    internal const int SigKill = 9;
    internal const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static partial int Kill(int pid, int signal);
}
