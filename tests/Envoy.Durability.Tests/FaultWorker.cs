using Envoy.TestServers;

namespace Envoy.Durability.Tests;

/// <summary>tests/Envoy.FaultWorker, run as a child process.</summary>
internal static class FaultWorker
{
    public static string Dll => DotnetWorkerProcess.BuiltPath(typeof(FaultWorker).Assembly, "FaultWorkerDll");

    public static DotnetWorkerProcess Start(params string[] args) => DotnetWorkerProcess.Start(Dll, args);
}
