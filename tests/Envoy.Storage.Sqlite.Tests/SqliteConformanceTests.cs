using Envoy.Runtime.Storage;
using Envoy.Storage.Conformance;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite.Tests;

/// <summary>The store conformance suite against a SQLite file (the default durable settings), one new file per test.</summary>
public sealed class SqliteFileConformanceTests : StoreConformanceTests
{
    private readonly string _directory = TempDirectory.NewPath();

    private string DatabasePath => Path.Combine(_directory, "envoy.db");

    protected override async Task<IJobStore> CreateStoreAsync()
    {
        Directory.CreateDirectory(_directory);
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IJobStore?> OpenSecondInstanceAsync()
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    protected override Task<IJobStore?> CreateUnmigratedStoreAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.FromResult<IJobStore?>(new SqliteJobStore(new SqliteConfig { Path = Path.Combine(_directory, "unmigrated.db") }));
    }

    protected override Task CleanupAsync()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_directory);
        return Task.CompletedTask;
    }
}

/// <summary>The store conformance suite against an in-memory SQLite database (<c>:memory:</c>, one per store).</summary>
public sealed class SqliteMemoryConformanceTests : StoreConformanceTests
{
    protected override async Task<IJobStore> CreateStoreAsync()
    {
        var store = new SqliteJobStore(new SqliteConfig { Path = ":memory:" });
        await store.InitializeAsync();
        return store;
    }

    protected override Task<IJobStore?> CreateUnmigratedStoreAsync() =>
        Task.FromResult<IJobStore?>(new SqliteJobStore(new SqliteConfig { Path = ":memory:" }));
}
