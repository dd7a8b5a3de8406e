using System.IO.Compression;
using System.Xml.Linq;

namespace Envoy.Packaging.Tests.Harness;

/// <summary>A .nupkg or .snupkg read back: its nuspec metadata and the paths of its files.</summary>
public sealed class PackageFile
{
    private PackageFile(XElement metadata, IReadOnlyList<string> entries, string readme)
    {
        Metadata = metadata;
        Entries = entries;
        Readme = readme;
    }

    /// <summary>The nuspec's <c>metadata</c> element.</summary>
    public XElement Metadata { get; }

    /// <summary>Every file in the package, by its path inside the package.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The text of the package's README (empty when it has none).</summary>
    public string Readme { get; }

    /// <summary>Reads the package at <paramref name="path"/>.</summary>
    public static PackageFile Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var nuspec = zip.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XElement metadata;
        using (var stream = nuspec.Open())
        {
            metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }

        var readmePath = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "readme")?.Value;
        var readme = string.Empty;
        if (readmePath is not null && zip.GetEntry(readmePath) is { } readmeEntry)
        {
            using var reader = new StreamReader(readmeEntry.Open());
            readme = reader.ReadToEnd();
        }

        return new PackageFile(metadata, [.. zip.Entries.Select(e => e.FullName)], readme);
    }

    /// <summary>The value of the metadata element <paramref name="name"/>, or null.</summary>
    public string? Value(string name) => Element(name)?.Value;

    /// <summary>The metadata element <paramref name="name"/>, or null.</summary>
    public XElement? Element(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    /// <summary>Every dependency of every group: id → version range as written in the nuspec.</summary>
    public IReadOnlyDictionary<string, string> Dependencies() =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value, StringComparer.Ordinal);

    /// <summary>The target frameworks of the dependency groups.</summary>
    public IReadOnlyList<string> DependencyGroups() =>
        [.. Metadata.Descendants().Where(e => e.Name.LocalName == "group" && e.Parent?.Name.LocalName == "dependencies")
            .Select(e => e.Attribute("targetFramework")?.Value ?? string.Empty)];
}
