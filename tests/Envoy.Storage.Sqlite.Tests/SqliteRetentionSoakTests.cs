using Envoy.Runtime.Storage;
using Envoy.Storage.Conformance;
using Xunit.Abstractions;

namespace Envoy.Storage.Sqlite.Tests;

/// <summary>The retention soak test on a SQLite file: its job count and the pages in use level off.</summary>
public sealed class SqliteRetentionSoakTests(ITestOutputHelper output) : RetentionSoakTests, IDisposable
{
    private readonly string _directory = TempDirectory.NewPath();

    private string DatabasePath => Path.Combine(_directory, "envoy.db");

    [Fact]
    public Task Soak_SteadyLoadWithShortRetention_StoreSizeLevelsOff() => RunSoakAsync(output);

    /// <inheritdoc />
    public void Dispose() => TempDirectory.Delete(_directory);

    /// <inheritdoc />
    protected override async Task<IJobStore> CreateStoreAsync()
    {
        Directory.CreateDirectory(_directory);
        var store = new SqliteJobStore(new SqliteConfig { Path = DatabasePath });
        await store.InitializeAsync();
        return store;
    }

    /// <inheritdoc />
    /// <remarks>The pages in use (the file's pages less its free list): freed pages are reused, so the file itself never shrinks.</remarks>
    protected override async Task<long?> StoreBytesAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()), (SELECT page_size FROM pragma_page_size())";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0) * reader.GetInt64(1);
    }
}
