using System.Reflection;
using System.Xml.Linq;

namespace Envoy.Packaging.Tests.Harness;

/// <summary>One product project under <c>src/</c>, as its project file describes it.</summary>
/// <param name="Name">The project's name, which is its package id.</param>
/// <param name="Description">The project file's <c>Description</c>.</param>
/// <param name="ProjectReferences">The names of the product projects it references (they become package dependencies).</param>
/// <param name="IsTool">Whether it packs as a .NET tool (<c>PackAsTool</c>).</param>
/// <param name="AssemblyName">The name of its assembly (the project's name unless it sets <c>AssemblyName</c>).</param>
public sealed record ProductProject(string Name, string Description, IReadOnlyList<string> ProjectReferences, bool IsTool, string AssemblyName);

/// <summary>Where the repository is and what it holds, as the test assembly was built from it.</summary>
public static class RepositoryLayout
{
    /// <summary>The repository's root folder (the one with <c>Envoy.slnx</c>).</summary>
    public static string Root { get; } = Metadata("EnvoyRepositoryRoot");

    /// <summary>The configuration the tests (and with them every product project) were built in.</summary>
    public static string Configuration { get; } = Metadata("EnvoyConfiguration");

    /// <summary>The solution file.</summary>
    public static string Solution => Path.Combine(Root, "Envoy.slnx");

    /// <summary>Every project under <c>src/</c>: each one is a package.</summary>
    public static IReadOnlyList<ProductProject> ProductProjects { get; } = LoadProductProjects();

    private static List<ProductProject> LoadProductProjects() =>
        [.. Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(Load)];

    private static ProductProject Load(string path)
    {
        var project = XDocument.Load(path).Root!;
        var properties = project.Elements("PropertyGroup").SelectMany(group => group.Elements()).ToList();
        string? Property(string name) => properties.LastOrDefault(p => p.Name.LocalName == name)?.Value.Trim();
        var references = project.Elements("ItemGroup").Elements("ProjectReference")
            .Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        var name = Path.GetFileNameWithoutExtension(path);
        return new ProductProject(
            name,
            Property("Description") ?? string.Empty,
            references,
            string.Equals(Property("PackAsTool"), "true", StringComparison.OrdinalIgnoreCase),
            Property("AssemblyName") ?? name);
    }

    private static string Metadata(string key) =>
        typeof(RepositoryLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");
}
