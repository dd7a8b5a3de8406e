using Envoy.Runtime.Storage;

namespace Envoy.Storage.Conformance;

/// <summary>Schema migrations (<see cref="ISchemaMigrations"/>): the dry-run listing of <c>envoy migrate --dry-run</c>.</summary>
public abstract partial class StoreConformanceTests
{
    /// <summary>
    /// A store on new, empty data (a file or database that has no Envoy schema yet), not initialized; null when the store has
    /// no versioned schema. Disposed by the test.
    /// </summary>
    protected virtual Task<IJobStore?> CreateUnmigratedStoreAsync() => Task.FromResult<IJobStore?>(null);

    [Fact]
    public async Task PendingMigrations_InitializedStore_None()
    {
        if (Store is not ISchemaMigrations migrations)
        {
            return;
        }

        Assert.Empty(await migrations.GetPendingMigrationsAsync());
        Assert.True(migrations.LatestSchemaVersion >= 1);
    }

    [Fact]
    public async Task PendingMigrations_NewData_EveryMigrationInOrder_AndListingChangesNothing()
    {
        var store = await CreateUnmigratedStoreAsync();
        if (store is null)
        {
            return;
        }

        await using (store)
        {
            var migrations = Assert.IsAssignableFrom<ISchemaMigrations>(store);
            var first = await migrations.GetPendingMigrationsAsync();
            Assert.Equal(Enumerable.Range(1, migrations.LatestSchemaVersion), first.Select(m => m.Version));
            Assert.All(first, m => Assert.False(string.IsNullOrWhiteSpace(m.Description)));
            // Each migration says what it changes (a migration added without its description shows the generic fallback).
            Assert.All(first, m => Assert.DoesNotMatch("^Schema version [0-9]+$", m.Description));

            // Listing is a dry run: asked again, the same migrations are still pending.
            var second = await migrations.GetPendingMigrationsAsync();
            Assert.Equal(first, second);

            await store.InitializeAsync();
            Assert.Empty(await migrations.GetPendingMigrationsAsync());
        }
    }
}
