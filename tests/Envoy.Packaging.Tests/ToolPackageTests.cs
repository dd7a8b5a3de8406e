using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Envoy.Packaging.Tests.Harness;
using Xunit.Abstractions;

namespace Envoy.Packaging.Tests;

/// <summary>The ready server packed as the .NET tool <c>envoy-server</c>, installed from the package folder.</summary>
[Collection(PackedPackagesGroup.Name)]
public sealed partial class ToolPackageTests(PackedPackages packages, ITestOutputHelper output)
{
    [Fact]
    public async Task EnvoyServerTool_InstalledIntoAToolPath_StartsOnSqliteAndAnswersItsHealthCheck()
    {
        var toolPath = Path.Combine(packages.Root, "tools");
        var install = await DotnetCommand.RunAsync(packages.Root,
        [
            "tool", "install", "Envoy.Server", "--tool-path", toolPath, "--version", packages.Version,
            "--configfile", Path.Combine(packages.Root, "nuget.config"),
        ]);
        output.WriteLine($"{install.Command} took {install.Elapsed.TotalSeconds:F1} s");

        var data = Path.Combine(packages.Root, "server-data");
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo(Path.Combine(toolPath, "envoy-server")) { WorkingDirectory = data };
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["DOTNET_ROOT"] = DotnetCommand.DotnetRoot;
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Envoy__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var clock = Stopwatch.StartNew();
        using var server = RunningProgram.Start(start, line => line.StartsWith("Envoy is ready: ", StringComparison.Ordinal));
        var ready = await server.AwaitedLineAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"envoy-server was ready after {clock.Elapsed.TotalSeconds:F1} s: {ready}");

        var health = HealthUrl().Match(ready);
        Assert.True(health.Success, ready);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        using var response = await http.GetAsync(new Uri(health.Groups[1].Value));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The embedded default: envoy.db in the working directory.
        Assert.True(File.Exists(Path.Combine(data, "envoy.db")), server.Output);
    }

    [GeneratedRegex(@"health: (http://\S+/healthz)")]
    private static partial Regex HealthUrl();
}
