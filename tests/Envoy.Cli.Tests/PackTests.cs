using Envoy.Cli.Tests.Harness;

namespace Envoy.Cli.Tests;

/// <summary>The CLI packs as a .NET tool that installs and runs as <c>envoy</c>.</summary>
public sealed class PackTests
{
    [Fact]
    public async Task Pack_InstallIntoAToolPath_RunsEnvoyVersion()
    {
        var root = Directory.CreateTempSubdirectory("envoy-cli-pack-").FullName;
        try
        {
            var packages = Path.Combine(root, "packages");
            var tools = Path.Combine(root, "tools");

            // --no-build: the tool as built for these tests (a rebuild here would race the other tests running it).
            (await EnvoyCli.RunProcessAsync(
                EnvoyCli.DotnetHost,
                ["pack", EnvoyCli.CliProject, "-c", EnvoyCli.Configuration, "--no-build", "-o", packages],
                null,
                null,
                root,
                TimeSpan.FromMinutes(10))).Expect(0);
            var package = Assert.Single(Directory.GetFiles(packages, "Envoy.Cli.*.nupkg"), f => !f.EndsWith(".symbols.nupkg", StringComparison.Ordinal));
            var version = Path.GetFileNameWithoutExtension(package)["Envoy.Cli.".Length..];

            (await EnvoyCli.RunProcessAsync(
                EnvoyCli.DotnetHost,
                ["tool", "install", "Envoy.Cli", "--tool-path", tools, "--add-source", packages, "--version", version],
                null,
                null,
                root,
                TimeSpan.FromMinutes(10))).Expect(0);

            var dotnetRoot = Path.GetDirectoryName(Path.GetFullPath(ResolveDotnet()))!;
            var result = (await EnvoyCli.RunProcessAsync(
                Path.Combine(tools, "envoy"),
                ["--version"],
                new Dictionary<string, string?> { ["DOTNET_ROOT"] = dotnetRoot },
                null,
                root)).Expect(0);
            Assert.StartsWith(version, result.Stdout.Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string ResolveDotnet()
    {
        if (Path.IsPathRooted(EnvoyCli.DotnetHost))
        {
            return new FileInfo(EnvoyCli.DotnetHost).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? EnvoyCli.DotnetHost;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, "dotnet");
            if (File.Exists(candidate))
            {
                return new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
            }
        }

        return "dotnet";
    }
}
