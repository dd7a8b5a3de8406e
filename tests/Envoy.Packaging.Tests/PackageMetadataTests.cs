using System.Text.RegularExpressions;
using Envoy.Packaging.Tests.Harness;
using Xunit.Abstractions;

namespace Envoy.Packaging.Tests;

/// <summary>What each packed product package says about itself (its nuspec) and what it ships.</summary>
[Collection(PackedPackagesGroup.Name)]
public sealed partial class PackageMetadataTests(PackedPackages packages, ITestOutputHelper output)
{
    /// <summary>Every project under src/: each one is a package with the project's name as its id.</summary>
    public static TheoryData<string> ProductPackages => [.. RepositoryLayout.ProductProjects.Select(p => p.Name)];

    [Fact]
    public void Pack_Solution_MakesAPackageAndASymbolPackagePerSrcProjectAndNothingForTestsBenchmarksOrSamples()
    {
        output.WriteLine($"{packages.Pack.Command} took {packages.Pack.Elapsed.TotalSeconds:F1} s");
        var expected = RepositoryLayout.ProductProjects
            .SelectMany(p => new[] { $"{p.Name}.{packages.Version}.nupkg", $"{p.Name}.{packages.Version}.snupkg" })
            .Order(StringComparer.Ordinal);
        var actual = Directory.GetFiles(packages.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
        Assert.Contains(RepositoryLayout.ProductProjects, p => p.Name == "Envoy");
        Assert.Contains(RepositoryLayout.ProductProjects, p => p.Name == "Envoy.Storage.Sqlite");
    }

    [Theory]
    [MemberData(nameof(ProductPackages))]
    public void Package_CarriesIdVersionDescriptionLicenceReadmeAndRepository(string id)
    {
        var project = RepositoryLayout.ProductProjects.Single(p => p.Name == id);
        var package = PackageFile.Read(packages.PackagePath(id));

        Assert.Equal(id, package.Value("id"));
        Assert.Equal(packages.Version, package.Value("version"));
        Assert.False(string.IsNullOrWhiteSpace(project.Description), $"{id}.csproj has no Description.");
        Assert.Equal(project.Description, package.Value("description"));
        Assert.Equal("Envoy for .NET", package.Value("authors"));

        var license = package.Element("license");
        Assert.NotNull(license);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);

        Assert.Equal("README.md", package.Value("readme"));
        Assert.StartsWith("# ", package.Readme, StringComparison.Ordinal);
        Assert.Contains("https://", package.Readme, StringComparison.Ordinal);

        var projectUrl = package.Value("projectUrl");
        Assert.NotNull(projectUrl);
        Assert.StartsWith("https://", projectUrl, StringComparison.Ordinal);
        var repository = package.Element("repository");
        Assert.NotNull(repository);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Equal(projectUrl, repository.Attribute("url")?.Value);
        // Source Link: the commit the package was built from.
        Assert.Matches(CommitPattern(), repository.Attribute("commit")?.Value ?? string.Empty);
    }

    [Theory]
    [MemberData(nameof(ProductPackages))]
    public void Package_DependsOnTheEnvoyPackagesItsProjectReferences_AtTheSameVersion(string id)
    {
        var project = RepositoryLayout.ProductProjects.Single(p => p.Name == id);
        var package = PackageFile.Read(packages.PackagePath(id));
        var dependencies = package.Dependencies();

        if (project.IsTool)
        {
            // A .NET tool carries its whole program and declares no dependency.
            Assert.Contains(package.Element("packageTypes")!.Elements(), t => t.Attribute("name")?.Value == "DotnetTool");
            Assert.Empty(dependencies);
            return;
        }

        Assert.Equal(["net10.0"], package.DependencyGroups());
        foreach (var reference in project.ProjectReferences)
        {
            Assert.True(dependencies.TryGetValue(reference, out var version), $"{id} does not depend on the package {reference}.");
            Assert.Equal(packages.Version, version);
        }

        var envoyDependencies = dependencies.Keys.Where(d => d == "Envoy" || d.StartsWith("Envoy.", StringComparison.Ordinal));
        Assert.Equal(project.ProjectReferences.Order(StringComparer.Ordinal), envoyDependencies.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ProductPackages))]
    public void Package_ShipsItsAssemblyAndXmlDocs_AndItsSymbolPackageThePdb(string id)
    {
        var project = RepositoryLayout.ProductProjects.Single(p => p.Name == id);
        var folder = project.IsTool ? "tools/net10.0/any" : "lib/net10.0";
        var package = PackageFile.Read(packages.PackagePath(id));
        var symbols = PackageFile.Read(packages.PackagePath(id, ".snupkg"));

        var assembly = project.AssemblyName;
        Assert.Contains($"{folder}/{assembly}.dll", package.Entries);
        Assert.Contains($"{folder}/{assembly}.xml", package.Entries);
        Assert.Contains("README.md", package.Entries);
        Assert.Contains($"{folder}/{assembly}.pdb", symbols.Entries);
        if (project.IsTool)
        {
            Assert.Contains($"{folder}/DotnetToolSettings.xml", package.Entries);
        }
        else
        {
            Assert.DoesNotContain($"{folder}/{assembly}.pdb", package.Entries);
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
