using Envoy.Packaging.Tests.Harness;
using Xunit.Abstractions;

namespace Envoy.Packaging.Tests;

/// <summary>
/// A user's view: a fresh console project outside the repository references Envoy packages by id and version from the
/// package folder only, restores, builds and runs.
/// </summary>
[Collection(PackedPackagesGroup.Name)]
public sealed class ConsumerProjectTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Program = """
        using Envoy;

        var flow = new StateFlow(
        [
            new State("Start") { OnState = ctx => Task.FromResult(ctx.Output("Packaged")), Router = Router.Next("End") },
            new State("End") { OnState = ctx => Task.FromResult(ctx.Output(ctx.Output<string>() + " and durable!")), Router = Router.End },
        ]);

        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = args[0] } });
        scheduler.AddFlow("packaged", flow);
        await scheduler.StartAsync();
        var job = await scheduler.WaitForJobAsync(await scheduler.ScheduleAsync("packaged"), TimeSpan.FromMinutes(2));
        Console.WriteLine($"job {job.Status}: {job.Context.Output<string>()}");
        Console.WriteLine($"Envoy assembly: {typeof(SchedulerConfig).Assembly.Location}");
        Console.WriteLine($"Envoy.Runtime assembly: {typeof(Scheduler).Assembly.Location}");
        await scheduler.StopAsync();
        """;

    [Fact]
    public async Task ConsoleApp_ReferencingEnvoyAndTheSqliteStorePackages_RunsAJobOnASqliteFile()
    {
        var database = Path.Combine(packages.Root, "data", "jobs.db");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        var app = await ConsumerProject.CreateAsync(packages, "PackagedApp", ["Envoy", "Envoy.Storage.Sqlite"], Program);

        var run = await DotnetCommand.RunAsync(app.Directory, ["run", "--disable-build-servers", "--", database]);
        output.WriteLine($"{run.Command} (restore, build, run) took {run.Elapsed.TotalSeconds:F1} s; pack took {packages.Pack.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(run.Output);

        Assert.Contains("job Done: Packaged and durable!", run.Output, StringComparison.Ordinal);
        Assert.True(new FileInfo(database).Length > 0, $"No SQLite file at {database}.\n{run.Describe()}");
        // The program ran on the Envoy assembly of the package restored from the package folder, not on the repository's build.
        // Scheduler lives in Envoy.Runtime and SchedulerConfig (with the InitAsync door) in Envoy: both must come from the packages.
        foreach (var package in new[] { "Envoy", "Envoy.Runtime" })
        {
            var prefix = package + " assembly: ";
            var assembly = run.Output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();
            var packaged = Path.Combine(packages.PackagesCache, package.ToLowerInvariant(), packages.Version, "lib", "net10.0", package + ".dll");
            Assert.Equal(await File.ReadAllBytesAsync(packaged), await File.ReadAllBytesAsync(assembly));
        }

        AssertEnvoyPackagesAtTheTestVersion(app, Closure("Envoy", "Envoy.Storage.Sqlite"));
    }

    [Theory]
    [InlineData("Envoy.Storage.Sqlite")]
    [InlineData("Envoy.Storage.Postgres")]
    [InlineData("Envoy.Coordination.Redis")]
    public async Task StorePackage_Referenced_BringsTheEnvoyPackagesItNeeds_AtTheSameVersion(string store)
    {
        var app = await ConsumerProject.CreateAsync(packages, "Uses" + store.Replace(".", string.Empty, StringComparison.Ordinal), [store], "Console.WriteLine();");

        var restore = await DotnetCommand.RunAsync(app.Directory, ["restore", "--disable-build-servers"]);
        output.WriteLine($"{restore.Command} took {restore.Elapsed.TotalSeconds:F1} s");

        var expected = Closure(store);
        Assert.Contains("Envoy.Runtime", expected);
        Assert.Contains("Envoy.Core", expected);
        AssertEnvoyPackagesAtTheTestVersion(app, expected);
    }

    private void AssertEnvoyPackagesAtTheTestVersion(ConsumerProject app, IReadOnlySet<string> expected)
    {
        var resolved = app.ResolvedEnvoyPackages();
        Assert.Equal(expected.Order(StringComparer.OrdinalIgnoreCase), resolved.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        Assert.All(resolved, package => Assert.Equal(packages.Version, package.Value));
        Assert.All(resolved, package => Assert.True(
            Directory.Exists(Path.Combine(packages.PackagesCache, package.Key.ToLowerInvariant(), packages.Version)),
            $"{package.Key} {package.Value} was not restored from the package folder into {packages.PackagesCache}."));
    }

    /// <summary>The packages <paramref name="ids"/> and every Envoy package they depend on, from the projects' references.</summary>
    private static HashSet<string> Closure(params string[] ids)
    {
        var closure = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(ids);
        while (pending.TryPop(out var id))
        {
            if (closure.Add(id))
            {
                foreach (var reference in RepositoryLayout.ProductProjects.Single(p => p.Name == id).ProjectReferences)
                {
                    pending.Push(reference);
                }
            }
        }

        return closure;
    }
}
