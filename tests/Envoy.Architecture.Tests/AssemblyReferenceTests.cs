namespace Envoy.Architecture.Tests;

/// <summary>
/// The dependency rules of conventions.md, read from the built assemblies' references (<c>GetReferencedAssemblies</c>: what the
/// compiled code actually uses, transitive package references included).
/// </summary>
public sealed class AssemblyReferenceTests
{
    [Fact]
    public void EveryAssembly_ReferencesOnlyLowerLayers()
    {
        var upwards = Layers.Rank.Keys
            .SelectMany(project => Assemblies.ReferencesOf(project)
                .Where(r => Layers.Rank.TryGetValue(r, out var rank) && rank >= Layers.Rank[project])
                .Select(r => project + " → " + r))
            .ToList();

        Assert.Contains(Layers.Core, Assemblies.ReferencesOf(Layers.Runtime));
        Assert.Empty(upwards);
    }

    [Fact]
    public void Core_ReferencesOnlyTheBcl_AndNoMicrosoftExtensions()
    {
        var references = Assemblies.ReferencesOf(Layers.Core);

        Assert.Contains("System.Text.Json", references);
        Assert.DoesNotContain(references, r => !Assemblies.IsBcl(r));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.Extensions", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_ReferencesNoStoreAndNoDriver()
    {
        var references = Assemblies.ReferencesOf(Layers.Runtime);

        Assert.Equal([Layers.Core], references.Where(Layers.Rank.ContainsKey));
        Assert.DoesNotContain(references, Layers.IsStore);
        Assert.DoesNotContain(references, r => Layers.IsDriver(r));
    }

    [Fact]
    public void Stores_DoNotReferenceEachOther_NorAnotherStoresDriver()
    {
        var crossings = Layers.Stores
            .SelectMany(store => Assemblies.ReferencesOf(store)
                .Where(r => (Layers.IsStore(r) && r != store) || (Layers.IsDriver(r) && !Layers.IsDriver(r, store)))
                .Select(r => store + " → " + r))
            .ToList();

        Assert.All(Layers.Stores, store => Assert.Contains(Assemblies.ReferencesOf(store), r => Layers.IsDriver(r, store)));
        Assert.Empty(crossings);
    }

    [Fact]
    public void Agents_ReferenceNoStoreAndNoDriver()
    {
        var references = Assemblies.ReferencesOf(Layers.Agents);

        Assert.Contains(Layers.Core, references);
        Assert.DoesNotContain(references, Layers.IsStore);
        Assert.DoesNotContain(references, r => Layers.IsDriver(r));
    }

    [Fact]
    public void NoSrcAssembly_ReferencesTestCode()
    {
        var testCode = Layers.Rank.Keys
            .SelectMany(project => Assemblies.ReferencesOf(project)
                .Where(r => r.StartsWith("xunit", StringComparison.OrdinalIgnoreCase)
                    || r.EndsWith(".Tests", StringComparison.Ordinal)
                    || r is "Envoy.TestServers" or "BenchmarkDotNet" or "Microsoft.Playwright"
                    || r.StartsWith("Microsoft.VisualStudio.TestPlatform", StringComparison.Ordinal)
                    || r.StartsWith("Microsoft.TestPlatform", StringComparison.Ordinal))
                .Select(r => project + " → " + r))
            .ToList();

        Assert.Empty(testCode);
    }
}
