using System.Text.RegularExpressions;

namespace Envoy.Architecture.Tests;

/// <summary>
/// The shape of Envoy.Runtime after issue 13 (notes/refactor13.md): folder = namespace, no store configuration in the
/// runtime, one options type per store in its store, the store SPI as ports in <c>Envoy.Runtime.Storage</c>. Types are looked
/// up by name, so these tests compile before and after the renames.
/// </summary>
public sealed partial class RuntimeShapeTests
{
    /// <summary>
    /// A folder of src/Envoy.Runtime is either a public-API folder (every type in namespace <c>Envoy</c>) or an internal/SPI
    /// folder (every type in <c>Envoy.Runtime.{folder path}</c>, subfolders adding their name); none mixes the two.
    /// </summary>
    [Fact]
    public void Runtime_FolderIsNamespace()
    {
        var root = Path.Combine(Repository.Root, "src", Layers.Runtime);
        var folders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Repository.Relative(f).Contains("/obj/", StringComparison.Ordinal) && !Repository.Relative(f).Contains("/bin/", StringComparison.Ordinal))
            .GroupBy(f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!).Replace('\\', '/'))
            .ToList();

        var mixed = new List<string>();
        foreach (var folder in folders)
        {
            var spi = folder.Key == "." ? Layers.Runtime : Layers.Runtime + "." + folder.Key.Replace('/', '.');
            var namespaces = folder.SelectMany(f => Namespace().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value).DefaultIfEmpty("(none: " + Path.GetFileName(f) + ")"))
                .ToHashSet(StringComparer.Ordinal);
            if (!namespaces.SetEquals(["Envoy"]) && !namespaces.SetEquals([spi]))
            {
                mixed.Add(folder.Key + ": " + string.Join(", ", namespaces.Order(StringComparer.Ordinal)) + " (expected Envoy or " + spi + ")");
            }
        }

        Assert.NotEmpty(folders);
        Assert.Empty(mixed);
    }

    /// <summary>The runtime is store-blind: no type of it names a store (the store options live in the stores).</summary>
    [Fact]
    public void Runtime_HoldsNoStoreConfiguration()
    {
        var runtime = Assemblies.Of(Layers.Runtime);

        var storeTypes = runtime.GetTypes().Where(t => StoreName().IsMatch(t.Name)).Select(t => t.FullName).ToList();

        Assert.Empty(storeTypes);
        Assert.Null(runtime.GetType("Envoy.SchedulerConfig"));
        Assert.NotNull(runtime.GetType("Envoy.SchedulerOptions"));
    }

    /// <summary>One options type per store, in its store (namespace Envoy); SchedulerConfig in the Envoy package adds them to the runtime's SchedulerOptions.</summary>
    [Fact]
    public void EachStoresOptions_LiveInTheStore_AndSchedulerConfigInTheEnvoyPackage()
    {
        Assert.NotNull(Assemblies.Of(Layers.Sqlite).GetType("Envoy.SqliteConfig"));
        Assert.NotNull(Assemblies.Of(Layers.Postgres).GetType("Envoy.PostgresConfig"));
        Assert.NotNull(Assemblies.Of(Layers.Redis).GetType("Envoy.RedisConfig"));
        var config = Assemblies.Of(Layers.Package).GetType("Envoy.SchedulerConfig");
        Assert.NotNull(config);
        Assert.Equal("Envoy.SchedulerOptions", config.BaseType?.FullName);
        Assert.NotNull(Assemblies.Of(Layers.Runtime).GetType("Envoy.Scheduler"));

        var retired = Layers.Rank.Keys
            .SelectMany(p => Assemblies.Of(p).GetTypes())
            .Where(t => t.Name is "SqliteStoreOptions" or "PostgresStoreOptions")
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(retired);
    }

    /// <summary>
    /// The store SPI in Envoy.Runtime.Storage: IJobStore is the composite of the three ports a store implements, and
    /// IJobTransaction the primitive reads and writes the one job state machine (Envoy.Runtime.StateMachine) runs on; each store
    /// implements both.
    /// </summary>
    [Fact]
    public void StoreSpi_IsThePortsAndTheTransaction_ImplementedByEachStore()
    {
        var runtime = Assemblies.Of(Layers.Runtime);
        var store = runtime.GetType("Envoy.Runtime.Storage.IJobStore");
        var transaction = runtime.GetType("Envoy.Runtime.Storage.IJobTransaction");
        Assert.NotNull(store);
        Assert.NotNull(transaction);
        foreach (var port in new[] { "IJobWriteStore", "IJobQueryStore", "IJobCoordinationStore" })
        {
            var type = runtime.GetType("Envoy.Runtime.Storage." + port);
            Assert.True(type is { IsInterface: true }, port + " is not an interface in Envoy.Runtime.Storage.");
            Assert.True(type.IsAssignableFrom(store), "IJobStore is not an " + port + ".");
        }

        Assert.Contains(runtime.GetTypes(), t => t.Namespace == "Envoy.Runtime.StateMachine");
        foreach (var project in new[] { Layers.Sqlite, Layers.Postgres })
        {
            var types = Assemblies.Of(project).GetTypes().Where(t => t is { IsAbstract: false, IsInterface: false }).ToList();
            Assert.Contains(types, store.IsAssignableFrom);
            Assert.Contains(types, transaction.IsAssignableFrom);
        }
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex("Sqlite|Postgres|Npgsql|Redis")]
    private static partial Regex StoreName();
}
