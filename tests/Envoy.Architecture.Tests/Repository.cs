using System.Xml.Linq;

namespace Envoy.Architecture.Tests;

/// <summary>The repository as files: the project files of src/ and their references, read as MSBuild would see them written.</summary>
internal static class Repository
{
    /// <summary>The repository's root folder (the one holding Envoy.slnx), found upwards from the test's output folder.</summary>
    public static readonly string Root = FindRoot();

    /// <summary>The src projects by name (the folder name, which is also the project file's).</summary>
    public static readonly IReadOnlyDictionary<string, ProjectFile> Projects =
        Directory.GetDirectories(Path.Combine(Root, "src"))
            .Select(folder => Path.Combine(folder, Path.GetFileName(folder) + ".csproj"))
            .Where(File.Exists)
            .Select(ProjectFile.Read)
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The projects <paramref name="project"/> reaches through project references, itself excluded.</summary>
    public static IReadOnlySet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>(Projects[project].ProjectReferences);
        while (next.TryPop(out var name))
        {
            if (seen.Add(name) && Projects.TryGetValue(name, out var file))
            {
                foreach (var reference in file.ProjectReferences)
                {
                    next.Push(reference);
                }
            }
        }

        return seen;
    }

    /// <summary>The packages <paramref name="project"/> and every project it reaches reference directly.</summary>
    public static IReadOnlySet<string> PackageClosure(string project) =>
        ProjectClosure(project).Append(project)
            .Where(Projects.ContainsKey)
            .SelectMany(p => Projects[p].PackageReferences)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The path of <paramref name="path"/> relative to the root, with forward slashes.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Envoy.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("No Envoy.slnx above " + AppContext.BaseDirectory + ".");
    }
}

/// <summary>One project file: what it references, as written in it.</summary>
/// <param name="Name">The project's name (its file name without .csproj).</param>
/// <param name="Path">The project file.</param>
/// <param name="Xml">Its content.</param>
internal sealed record ProjectFile(string Name, string Path, XDocument Xml)
{
    /// <summary>The projects referenced (by name), whatever folder they are in.</summary>
    public IReadOnlyList<string> ProjectReferences => Items("ProjectReference").Select(p => System.IO.Path.GetFileNameWithoutExtension(p.Replace('\\', '/'))).ToList();

    /// <summary>The paths of the referenced projects, relative to the repository root.</summary>
    public IReadOnlyList<string> ProjectReferencePaths =>
        Items("ProjectReference").Select(p => Repository.Relative(System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, p.Replace('\\', '/'))))).ToList();

    /// <summary>The packages referenced.</summary>
    public IReadOnlyList<string> PackageReferences => Items("PackageReference").ToList();

    /// <summary>The shared frameworks referenced (for example Microsoft.AspNetCore.App).</summary>
    public IReadOnlyList<string> FrameworkReferences => Items("FrameworkReference").ToList();

    /// <summary>The values of the property <paramref name="name"/> wherever it is set.</summary>
    public IEnumerable<string> Property(string name) => Xml.Descendants(name).Where(e => e.Parent?.Name.LocalName == "PropertyGroup").Select(e => e.Value);

    /// <summary>The <c>Include</c>s of the items <paramref name="kind"/>.</summary>
    public IEnumerable<string> Items(string kind) =>
        Xml.Descendants(kind).Select(e => (string?)e.Attribute("Include")).OfType<string>();

    public static ProjectFile Read(string path) => new(System.IO.Path.GetFileNameWithoutExtension(path), path, XDocument.Load(path));
}
