using System.Reflection;

namespace Envoy.Architecture.Tests;

/// <summary>The src assemblies as built (this project references every src project, so they sit next to it).</summary>
internal static class Assemblies
{
    /// <summary>The assembly of the src project <paramref name="project"/> (its assembly name is the project's name).</summary>
    public static Assembly Of(string project) => Assembly.Load(new AssemblyName(project));

    /// <summary>The names of the assemblies <paramref name="project"/>'s assembly references (what its code uses).</summary>
    public static IReadOnlyList<string> ReferencesOf(string project) => Of(project).GetReferencedAssemblies().Select(a => a.Name!).ToList();

    /// <summary>The BCL: what every .NET app has without a package (System.Text.Json included).</summary>
    public static bool IsBcl(string name) =>
        name is "netstandard" or "mscorlib" or "System" or "Microsoft.CSharp" or "Microsoft.VisualBasic.Core"
        || name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal);
}
