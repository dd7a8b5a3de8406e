using System.Reflection;
using System.Xml.Linq;

namespace Envoy.Architecture.Tests;

/// <summary>
/// The code rules of conventions.md that a build setting enforces, checked so that no project quietly opts out: the banned
/// APIs, XML docs on every public type, one exception hierarchy, every project in the solution, one test project per src
/// project.
/// </summary>
public sealed class CodeRuleTests
{
    private static readonly XDocument BuildProps = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props"));

    [Fact]
    public void BannedApis_AreBannedInEveryProductProject()
    {
        var banned = File.ReadAllLines(Path.Combine(Repository.Root, "BannedSymbols.txt")).Select(l => l.Split(';')[0].Trim()).ToHashSet(StringComparer.Ordinal);
        string[] clock = ["P:System.DateTime.Now", "P:System.DateTime.UtcNow", "P:System.DateTimeOffset.Now", "P:System.DateTimeOffset.UtcNow"];
        string[] delays = ["M:System.Threading.Tasks.Task.Delay(System.Int32)", "M:System.Threading.Tasks.Task.Delay(System.TimeSpan)"];
        Assert.All(clock.Concat(delays), symbol => Assert.Contains(symbol, banned));

        // Directory.Build.props adds the analyzer and the list to every product project (IsProductCode: all but tests/, bench/, samples/).
        var analyzerGroup = Assert.Single(BuildProps.Descendants("ItemGroup"), g => g.Elements("PackageReference").Any(p => (string?)p.Attribute("Include") == "Microsoft.CodeAnalysis.BannedApiAnalyzers"));
        Assert.Contains("'$(IsProductCode)' == 'true'", (string?)analyzerGroup.Attribute("Condition"), StringComparison.Ordinal);
        Assert.Contains(analyzerGroup.Elements("AdditionalFiles"), f => ((string?)f.Attribute("Include"))?.EndsWith("BannedSymbols.txt", StringComparison.Ordinal) == true);
        Assert.All(Repository.Projects.Values, p => Assert.DoesNotMatch("/(tests|bench|samples)/", Repository.Relative(p.Path)));

        // No src project opts out.
        var optOuts = Repository.Projects.Values
            .Where(p => p.Property("IsProductCode").Any()
                || p.Property("NoWarn").Any(w => w.Contains("RS0030", StringComparison.Ordinal))
                || p.Xml.Descendants("PackageReference").Any(r => (string?)r.Attribute("Remove") is not null))
            .Select(p => p.Name)
            .Concat(SourceFilesMentioning("RS0030"))
            .ToList();
        Assert.Empty(optOuts);
    }

    [Fact]
    public void XmlDocs_AreRequiredInEveryProductProject()
    {
        Assert.Contains("true", BuildProps.Descendants("GenerateDocumentationFile").Select(e => e.Value));
        // CS1591 (a public member without XML docs) is turned off for tests, benchmarks and samples only.
        var suppressions = BuildProps.Descendants("NoWarn").Where(w => w.Value.Contains("CS1591", StringComparison.Ordinal)).ToList();
        Assert.All(suppressions, w => Assert.Contains("/tests/", (string?)w.Parent?.Attribute("Condition"), StringComparison.Ordinal));

        var optOuts = Repository.Projects.Values
            .Where(p => p.Property("GenerateDocumentationFile").Any(v => !v.Equals("true", StringComparison.OrdinalIgnoreCase))
                || p.Property("NoWarn").Any(w => w.Contains("CS1591", StringComparison.Ordinal) || w.Contains("1591", StringComparison.Ordinal)))
            .Select(p => p.Name)
            .Concat(SourceFilesMentioning("CS1591"))
            .ToList();
        Assert.Empty(optOuts);
    }

    [Fact]
    public void EveryPublicType_HasXmlDocs()
    {
        var undocumented = new List<string>();
        foreach (var project in Layers.Rank.Keys)
        {
            var assembly = Assemblies.Of(project);
            var docs = Path.Combine(AppContext.BaseDirectory, project + ".xml");
            Assert.True(File.Exists(docs), project + " has no XML documentation file next to its assembly.");
            var members = XDocument.Load(docs).Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet(StringComparer.Ordinal);
            undocumented.AddRange(assembly.GetExportedTypes()
                .Where(t => t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null && !IsRazorComponent(t) && !IsCompilerNamed(t))
                .Select(t => "T:" + t.FullName!.Replace('+', '.'))
                .Where(id => !members.Contains(id)));
        }

        Assert.NotEmpty(Assemblies.Of(Layers.Runtime).GetExportedTypes());
        Assert.Empty(undocumented);
    }

    [Fact]
    public void PublicExceptions_DeriveFromEnvoyException()
    {
        var envoyException = Assemblies.Of(Layers.Core).GetType("Envoy.EnvoyException", throwOnError: true)!;

        var outside = Layers.Rank.Keys
            .SelectMany(p => Assemblies.Of(p).GetExportedTypes())
            .Where(t => typeof(Exception).IsAssignableFrom(t) && !envoyException.IsAssignableFrom(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(outside);
    }

    [Fact]
    public void Solution_ListsEveryProject()
    {
        var listed = XDocument.Load(Path.Combine(Repository.Root, "Envoy.slnx")).Descendants("Project")
            .Select(p => (string?)p.Attribute("Path")).OfType<string>().ToHashSet(StringComparer.Ordinal);

        var missing = new[] { "src", "tests", "bench", "samples" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.csproj", SearchOption.AllDirectories))
            .Select(Repository.Relative)
            .Where(path => !path.Contains("/bin/", StringComparison.Ordinal) && !path.Contains("/obj/", StringComparison.Ordinal) && !listed.Contains(path))
            .ToList();

        Assert.Contains("tests/Envoy.Architecture.Tests/Envoy.Architecture.Tests.csproj", listed);
        Assert.Empty(missing);
    }

    /// <summary>
    /// conventions.md: one test project per src project (tests/{name}.Tests). Envoy.Testing, the helpers for users' tests, is
    /// exercised by the test projects that use it (the fake LLM server by Envoy.Agents.Tests, the timer-watching clock by
    /// Envoy.Runtime.Tests) and has no project of its own.
    /// </summary>
    [Fact]
    public void EverySrcProject_HasItsTestProject()
    {
        string[] exempt = [Layers.Testing];

        var missing = Repository.Projects.Keys
            .Except(exempt)
            .Where(p => !File.Exists(Path.Combine(Repository.Root, "tests", p + ".Tests", p + ".Tests.csproj")))
            .ToList();

        Assert.Empty(missing);
    }

    /// <summary>
    /// Types the compiler names itself (a name with '&lt;', such as the grouping types it emits for C# 14 <c>extension</c> blocks):
    /// their members are documented on the declaring block, and the compiler asks no docs of the type.
    /// </summary>
    private static bool IsCompilerNamed(Type type) => type.Name.Contains('<', StringComparison.Ordinal);

    /// <summary>The dashboard's Razor pages: public classes generated from .razor files, which carry no XML docs (CS1591 does not apply to them).</summary>
    private static bool IsRazorComponent(Type type)
    {
        if (type.Name == "_Imports")
        {
            return true;
        }

        for (var b = type.BaseType; b is not null; b = b.BaseType)
        {
            if (b.FullName == "Microsoft.AspNetCore.Components.ComponentBase")
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> SourceFilesMentioning(string text) =>
        Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal))
            .Select(Repository.Relative);
}
