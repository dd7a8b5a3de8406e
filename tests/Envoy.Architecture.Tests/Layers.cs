namespace Envoy.Architecture.Tests;

/// <summary>
/// The src projects and their layers (conventions.md: Core ← Runtime ← {Storage.*, Coordination.*, Agents} ← Envoy ←
/// AspNetCore ← Server). A project may reference only projects of a lower layer. The CLI and the test helpers sit beside the
/// Envoy package: the CLI is an HTTP client that also applies the stores' migrations (<c>envoy migrate</c>), so it references
/// the two stores; Envoy.Testing references Envoy.Agents (the fake LLM server). Apps and test helpers are leaves: no src
/// project references them.
/// </summary>
internal static class Layers
{
    public const string Core = "Envoy.Core";
    public const string Runtime = "Envoy.Runtime";
    public const string Sqlite = "Envoy.Storage.Sqlite";
    public const string Postgres = "Envoy.Storage.Postgres";
    public const string Redis = "Envoy.Coordination.Redis";
    public const string Agents = "Envoy.Agents";
    public const string Package = "Envoy";
    public const string AspNetCore = "Envoy.AspNetCore";
    public const string Server = "Envoy.Server";
    public const string Cli = "Envoy.Cli";
    public const string Testing = "Envoy.Testing";

    /// <summary>Every src project and its layer: 0 depends on nothing of ours.</summary>
    public static readonly IReadOnlyDictionary<string, int> Rank = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [Core] = 0,
        [Runtime] = 1,
        [Sqlite] = 2,
        [Postgres] = 2,
        [Redis] = 2,
        [Agents] = 2,
        [Package] = 3,
        [Cli] = 3,
        [Testing] = 3,
        [AspNetCore] = 4,
        [Server] = 5,
    };

    /// <summary>Projects nothing in src may reference: the apps and the helpers for users' tests.</summary>
    public static readonly IReadOnlyList<string> Leaves = [Server, Cli, Testing];

    /// <summary>The stores and coordinations: adapters of the runtime's ports, each on its own driver.</summary>
    public static readonly IReadOnlyList<string> Stores = [Sqlite, Postgres, Redis];

    /// <summary>Whether <paramref name="project"/> is a store or a coordination (by name, so a new one is covered at once).</summary>
    public static bool IsStore(string project) =>
        project.StartsWith("Envoy.Storage.", StringComparison.Ordinal) || project.StartsWith("Envoy.Coordination.", StringComparison.Ordinal);

    /// <summary>The driver packages (and the assemblies they bring) of each store: no other project may reference them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Drivers = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Sqlite] = ["Microsoft.Data.Sqlite", "SQLitePCLRaw"],
        [Postgres] = ["Npgsql"],
        [Redis] = ["StackExchange.Redis"],
    };

    /// <summary>Whether a package or assembly name is one of <paramref name="store"/>'s drivers (or any store's, when null).</summary>
    public static bool IsDriver(string name, string? store = null) =>
        Drivers.Where(d => store is null || d.Key == store).SelectMany(d => d.Value)
            .Any(driver => name == driver || name.StartsWith(driver + ".", StringComparison.Ordinal));
}
