namespace Envoy.Packaging.Tests.Harness;

/// <summary>
/// Every product package packed once for the test run, with a version of its own (<c>0.0.0-test.&lt;ticks&gt;</c>), into a
/// temporary folder outside the repository, with <c>dotnet pack Envoy.slnx --no-build -warnaserror</c> over the build the
/// tests run on (so packing rewrites no build output another test may be running). The folder also holds what isolates a
/// consumer project from the repository: a nuget.config (the package folder for Envoy packages, nuget.org for the rest) and
/// empty Directory.Build.props, Directory.Build.targets and Directory.Packages.props.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    /// <summary>The temporary root folder: packages, consumer projects, their package cache.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "envoy-packaging-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; } = $"0.0.0-test.{TimeProvider.System.GetUtcNow().UtcTicks}";

    /// <summary>The folder with the .nupkg and .snupkg files.</summary>
    public string Folder => Path.Combine(Root, "packages");

    /// <summary>The package cache of the consumer projects (the Envoy packages restored from <see cref="Folder"/>).</summary>
    public string PackagesCache => Path.Combine(Root, "nuget-cache");

    /// <summary>The pack command's result (its duration and output).</summary>
    public DotnetResult Pack { get; private set; } = null!;

    /// <summary>The path of the package <paramref name="id"/> (<c>.nupkg</c>, or <c>.snupkg</c> for its symbols).</summary>
    public string PackagePath(string id, string extension = ".nupkg") => Path.Combine(Folder, $"{id}.{Version}{extension}");

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        await WriteIsolationFilesAsync();
        Pack = await DotnetCommand.RunAsync(RepositoryLayout.Root,
        [
            "pack", RepositoryLayout.Solution, "-c", RepositoryLayout.Configuration, "--no-build", "-warnaserror", "-nodeReuse:false",
            $"-p:Version={Version}", $"-p:PackageOutputPath={Folder}/", $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec")}/",
        ]);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is not a test failure.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }

    private async Task WriteIsolationFilesAsync()
    {
        // Nothing of the repository (or of a folder above the temporary one) applies to the consumer projects.
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            await File.WriteAllTextAsync(Path.Combine(Root, file), "<Project>\n</Project>\n");
        }

        // Envoy packages come from the package folder only; everything else from nuget.org, read first from this machine's
        // package cache (a fallback folder) so that a restore needs no network for what the repository already restored.
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(userCache)
            ? $"""
                <fallbackPackageFolders>
                  <clear />
                  <add key="machine-cache" value="{userCache}" />
                </fallbackPackageFolders>
              """
            : string.Empty;
        await File.WriteAllTextAsync(Path.Combine(Root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{PackagesCache}" />
              </config>
              <packageSources>
                <clear />
                <add key="envoy-test-packages" value="{Folder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="envoy-test-packages">
                  <package pattern="Envoy" />
                  <package pattern="Envoy.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            {fallback}
            </configuration>
            """);
    }

}

/// <summary>The tests that share one <see cref="PackedPackages"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PackedPackagesGroup : ICollectionFixture<PackedPackages>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "packages";
}
