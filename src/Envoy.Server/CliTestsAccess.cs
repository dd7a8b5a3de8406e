using System.Runtime.CompilerServices;

// The CLI's tests start this server as a process with the Envoy.Server.Tests harness (ServerProcess, linked into them), which
// waits for ServerAnnouncer's ready line. (An attribute here rather than in the csproj, which the packaging work owns.)
[assembly: InternalsVisibleTo("Envoy.Cli.Tests")]
