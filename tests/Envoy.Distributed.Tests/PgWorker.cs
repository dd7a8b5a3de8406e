using Envoy.TestServers;

namespace Envoy.Distributed.Tests;

/// <summary>tests/Envoy.PgWorker, run as a child process.</summary>
internal static class PgWorker
{
    public static string Dll => DotnetWorkerProcess.BuiltPath(typeof(PgWorker).Assembly, "PgWorkerDll");

    public static DotnetWorkerProcess Start(params string[] args) => DotnetWorkerProcess.Start(Dll, args);
}
