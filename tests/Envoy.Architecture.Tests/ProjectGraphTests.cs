namespace Envoy.Architecture.Tests;

/// <summary>
/// The dependency rules of conventions.md, read from the project files (ProjectReference, PackageReference,
/// FrameworkReference): what a project may use at all, whether or not its code uses it yet.
/// </summary>
public sealed class ProjectGraphTests
{
    [Fact]
    public void LayerTable_NamesEverySrcProject()
    {
        Assert.Equal(Layers.Rank.Keys.Order(StringComparer.Ordinal), Repository.Projects.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ProjectReferences_PointDownTheLayers()
    {
        var upwards = Repository.Projects.Values
            .SelectMany(p => p.ProjectReferences.Select(r => (From: p.Name, To: r)))
            .Where(e => !Layers.Rank.TryGetValue(e.To, out var to) || to >= Layers.Rank[e.From])
            .Select(e => e.From + " → " + e.To)
            .ToList();

        Assert.NotEmpty(Repository.Projects[Layers.Server].ProjectReferences);
        Assert.Empty(upwards);
    }

    [Fact]
    public void AppsAndTestHelpers_AreReferencedByNoSrcProject()
    {
        var references = Repository.Projects.Values
            .SelectMany(p => p.ProjectReferences.Where(Layers.Leaves.Contains).Select(r => p.Name + " → " + r))
            .ToList();

        Assert.Empty(references);
    }

    [Fact]
    public void NoSrcProject_ReferencesATestBenchOrSampleProject()
    {
        var outside = Repository.Projects.Values
            .SelectMany(p => p.ProjectReferencePaths.Where(path => !path.StartsWith("src/", StringComparison.Ordinal)).Select(path => p.Name + " → " + path))
            .ToList();
        var testPackages = Repository.Projects.Values
            .SelectMany(p => p.PackageReferences.Where(IsTestPackage).Select(r => p.Name + " → " + r))
            .ToList();

        Assert.Empty(outside);
        Assert.Empty(testPackages);
    }

    [Fact]
    public void Core_ReferencesNoProjectPackageOrFramework()
    {
        var core = Repository.Projects[Layers.Core];

        // System.Text.Json is part of the BCL (the shared framework): Core needs no package for it.
        Assert.Empty(core.ProjectReferences);
        Assert.Empty(core.PackageReferences);
        Assert.Empty(core.FrameworkReferences);
    }

    [Fact]
    public void Runtime_ReferencesOnlyCore_AndNoStoreOrDriver()
    {
        var runtime = Repository.Projects[Layers.Runtime];

        Assert.Equal([Layers.Core], runtime.ProjectReferences);
        Assert.DoesNotContain(Repository.ProjectClosure(Layers.Runtime), Layers.IsStore);
        Assert.DoesNotContain(Repository.PackageClosure(Layers.Runtime), p => Layers.IsDriver(p));
        Assert.Empty(runtime.FrameworkReferences);
    }

    /// <summary>
    /// Telemetry: the libraries report through System.Diagnostics (ActivitySource, Meter) only; the OpenTelemetry SDK, its
    /// exporters and the drivers' OpenTelemetry packages belong to the apps (the ready server), never to the runtime.
    /// </summary>
    [Fact]
    public void OnlyTheServer_ReferencesOpenTelemetryPackages()
    {
        static bool IsOpenTelemetry(string package) =>
            package.StartsWith("OpenTelemetry", StringComparison.Ordinal) || package.EndsWith(".OpenTelemetry", StringComparison.Ordinal);

        var users = Repository.Projects.Values.Where(p => p.PackageReferences.Any(IsOpenTelemetry)).Select(p => p.Name).ToList();

        Assert.Equal([Layers.Server], users);
        Assert.DoesNotContain(Repository.PackageClosure(Layers.Runtime), IsOpenTelemetry);
    }

    [Fact]
    public void Stores_DoNotReferenceEachOther_NorAnotherStoresDriver()
    {
        var crossings = new List<string>();
        foreach (var store in Repository.Projects.Keys.Where(Layers.IsStore))
        {
            crossings.AddRange(Repository.ProjectClosure(store).Where(Layers.IsStore).Select(other => store + " → " + other));
            crossings.AddRange(Repository.PackageClosure(store)
                .Where(p => Layers.IsDriver(p) && !Layers.IsDriver(p, store))
                .Select(p => store + " → package " + p));
        }

        Assert.Equal(Layers.Stores.Order(StringComparer.Ordinal), Repository.Projects.Keys.Where(Layers.IsStore).Order(StringComparer.Ordinal));
        Assert.Empty(crossings);
    }

    [Fact]
    public void Agents_ReferenceNoStoreOrDriver()
    {
        Assert.DoesNotContain(Repository.ProjectClosure(Layers.Agents), Layers.IsStore);
        Assert.DoesNotContain(Repository.PackageClosure(Layers.Agents), p => Layers.IsDriver(p));
    }

    private static bool IsTestPackage(string package) =>
        package.StartsWith("xunit", StringComparison.OrdinalIgnoreCase)
        || package is "Microsoft.NET.Test.Sdk" or "BenchmarkDotNet" or "Microsoft.Playwright";
}
