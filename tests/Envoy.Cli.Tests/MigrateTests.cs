using Envoy.Cli.Tests.Harness;
using Envoy.Runtime.Storage;
using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;
using Envoy.TestServers;
using Microsoft.Data.Sqlite;

namespace Envoy.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class MigratePostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "cli-migrate-postgres";
}

/// <summary><c>envoy migrate</c> without a server: fresh stores, migrated ones, dry runs, and many processes at once.</summary>
[Collection(MigratePostgres.Name)]
public sealed class MigrateTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("envoy-cli-migrate-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Sqlite_FreshFile_ThenAgain_IsUpToDate()
    {
        var path = Path.Combine(_folder, "data", "envoy.db");
        var first = (await EnvoyCli.RunAsync("migrate", "--sqlite", path, "--json")).Expect(0).Json();
        Assert.False(first["dryRun"]!.GetValue<bool>());
        Assert.True(first["upToDate"]!.GetValue<bool>());
        var latest = first["schemaVersion"]!.GetValue<int>();
        Assert.Equal(Enumerable.Range(1, latest), first["pending"]!.AsArray().Select(m => m!["version"]!.GetValue<int>()));
        Assert.Empty(await PendingAsync(new SqliteJobStore(new SqliteConfig { Path = path })));

        var again = (await EnvoyCli.RunAsync("migrate", "--sqlite", path, "--json")).Expect(0).Json();
        Assert.Empty(again["pending"]!.AsArray());
        var text = (await EnvoyCli.RunAsync("migrate", "--sqlite", path)).Expect(0);
        Assert.Contains("up to date", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_DryRun_ListsEveryMigration_AndCreatesNothing()
    {
        var path = Path.Combine(_folder, "dry", "envoy.db");
        var dry = (await EnvoyCli.RunAsync("migrate", "--sqlite", path, "--dry-run")).Expect(0);
        Assert.Contains("dry run", dry.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));

        var json = (await EnvoyCli.RunAsync("migrate", "--sqlite", path, "--dry-run", "--json")).Expect(0).Json();
        Assert.True(json["dryRun"]!.GetValue<bool>());
        Assert.False(json["upToDate"]!.GetValue<bool>());
        Assert.NotEmpty(json["pending"]!.AsArray());
        Assert.False(File.Exists(path));

        (await EnvoyCli.RunAsync("migrate", "--sqlite", path)).Expect(0);
        var after = (await EnvoyCli.RunAsync("migrate", "--sqlite", path, "--dry-run", "--json")).Expect(0).Json();
        Assert.Empty(after["pending"]!.AsArray());
        Assert.True(after["upToDate"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Sqlite_ManyProcessesAtOnce_AllSucceed()
    {
        var path = Path.Combine(_folder, "many.db");
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => EnvoyCli.RunAsync("migrate", "--sqlite", path)));
        Assert.All(runs, r => r.Expect(0));
        Assert.Empty(await PendingAsync(new SqliteJobStore(new SqliteConfig { Path = path })));
    }

    [Fact]
    public async Task Postgres_FreshDatabase_ThenAgain_IsUpToDate()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var first = (await EnvoyCli.RunAsync("migrate", "--postgres", connectionString, "--json")).Expect(0).Json();
        Assert.NotEmpty(first["pending"]!.AsArray());
        Assert.Empty(await PendingAsync(new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, Listen = false })));

        var again = (await EnvoyCli.RunAsync("migrate", "--postgres", connectionString)).Expect(0);
        Assert.Contains("up to date", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_DryRun_ChangesNothing()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var dry = (await EnvoyCli.RunAsync("migrate", "--postgres", connectionString, "--dry-run", "--json")).Expect(0).Json();
        var listed = dry["pending"]!.AsArray().Select(m => m!["version"]!.GetValue<int>()).ToList();
        Assert.Equal(Enumerable.Range(1, dry["schemaVersion"]!.GetValue<int>()), listed);

        // Nothing was created: the store still finds every migration pending, and no envoy schema exists.
        await using (var store = new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, Listen = false }))
        {
            Assert.Equal(listed, (await store.GetPendingMigrationsAsync()).Select(m => m.Version));
        }

        await using var data = Npgsql.NpgsqlDataSource.Create(connectionString);
        await using var command = data.CreateCommand("SELECT count(*) FROM pg_namespace WHERE nspname = 'envoy'");
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Postgres_ManyProcessesAtOnce_AllSucceed()
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => EnvoyCli.RunAsync("migrate", "--postgres", connectionString)));
        Assert.All(runs, r => r.Expect(0));
        Assert.Empty(await PendingAsync(new PostgresJobStore(new PostgresConfig { ConnectionString = connectionString, Listen = false })));
    }

    [Fact]
    public async Task Postgres_Unreachable_Exit6()
    {
        var result = (await EnvoyCli.RunAsync("migrate", "--postgres", $"Host=127.0.0.1;Port={FreePort.Next()};Database=x;Username=x;Password=hidden-pw;Timeout=5")).Expect(6);
        Assert.DoesNotContain("hidden-pw", result.Stderr + result.Stdout, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<SchemaMigration>> PendingAsync(IJobStore store)
    {
        await using (store)
        {
            return await ((ISchemaMigrations)store).GetPendingMigrationsAsync();
        }
    }
}
