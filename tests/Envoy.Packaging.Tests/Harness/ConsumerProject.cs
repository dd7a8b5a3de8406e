using System.Text.Json;

namespace Envoy.Packaging.Tests.Harness;

/// <summary>
/// A fresh console project in the temporary folder of <see cref="PackedPackages"/>, outside the repository, that
/// references Envoy packages by id and version only (so they come from the package folder, as a user's project gets them
/// from NuGet).
/// </summary>
public sealed class ConsumerProject
{
    private ConsumerProject(string directory, PackedPackages packages)
    {
        Directory = directory;
        Packages = packages;
    }

    /// <summary>The project's folder.</summary>
    public string Directory { get; }

    /// <summary>The packages it references.</summary>
    public PackedPackages Packages { get; }

    /// <summary>Creates the project <paramref name="name"/> referencing the packages <paramref name="packageIds"/> at the
    /// packed version, with <paramref name="program"/> as its Program.cs.</summary>
    public static async Task<ConsumerProject> CreateAsync(PackedPackages packages, string name, IEnumerable<string> packageIds, string program)
    {
        var directory = Path.Combine(packages.Root, name);
        System.IO.Directory.CreateDirectory(directory);
        var references = string.Join("\n", packageIds.Select(id => $"""    <PackageReference Include="{id}" Version="{packages.Version}" />"""));
        await File.WriteAllTextAsync(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
            {references}
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(directory, "Program.cs"), program);
        return new ConsumerProject(directory, packages);
    }

    /// <summary>The packages the restore resolved (<c>obj/project.assets.json</c>): id → version, for NuGet packages only.</summary>
    public IReadOnlyDictionary<string, string> ResolvedPackages()
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "obj", "project.assets.json")));
        var resolved = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var library in assets.RootElement.GetProperty("libraries").EnumerateObject())
        {
            if (library.Value.GetProperty("type").GetString() != "package")
            {
                continue;
            }

            var slash = library.Name.IndexOf('/', StringComparison.Ordinal);
            resolved[library.Name[..slash]] = library.Name[(slash + 1)..];
        }

        return resolved;
    }

    /// <summary>The Envoy packages among <see cref="ResolvedPackages"/>.</summary>
    public IReadOnlyDictionary<string, string> ResolvedEnvoyPackages() =>
        ResolvedPackages().Where(p => p.Key.Equals("Envoy", StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith("Envoy.", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
}
