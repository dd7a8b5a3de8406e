using System.Reflection;

namespace Envoy.Core.Tests;

/// <summary>Envoy.Core depends on the BCL and System.Text.Json only (conventions.md: Core references no Microsoft.Extensions.*).</summary>
public class ArchitectureTests
{
    private static readonly Assembly Core = typeof(StateFlow).Assembly;

    private static bool IsBcl(string name) =>
        name is "netstandard" or "mscorlib" or "System"
        || name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal)
        || name == "Microsoft.CSharp"
        || name == "Microsoft.VisualBasic.Core";

    [Fact]
    public void Core_ReferencesOnlyBclAssemblies()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        var foreign = references.Where(name => !IsBcl(name)).ToList();

        Assert.NotEmpty(references);
        Assert.Empty(foreign);
    }

    [Fact]
    public void Core_ReferencesNoMicrosoftExtensions()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Extensions", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_PublicTypesLiveInTheEnvoyNamespace()
    {
        var outside = Core.GetExportedTypes().Where(t => t.Namespace != "Envoy").Select(t => t.FullName).ToList();

        Assert.Empty(outside);
        Assert.Contains(typeof(StateFlow), Core.GetExportedTypes());
    }

    [Fact]
    public void Core_ExceptionsDeriveFromEnvoyException()
    {
        var exceptions = Core.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t)).ToList();

        Assert.NotEmpty(exceptions);
        Assert.All(exceptions, t => Assert.True(typeof(EnvoyException).IsAssignableFrom(t), t.Name + " is not an EnvoyException"));
    }
}
