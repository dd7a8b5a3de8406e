namespace Envoy.Runtime.Storage;

/// <summary>
/// A store whose schema is versioned by numbered migrations. <see cref="IJobStore.InitializeAsync"/> applies the pending ones
/// (one process at a time, the others wait and then find the schema current); <see cref="GetPendingMigrationsAsync"/> lists
/// them without changing anything, for a dry run (<c>envoy migrate --dry-run</c>).
/// </summary>
public interface ISchemaMigrations
{
    /// <summary>The schema version this store's code brings a database to (the last migration's version).</summary>
    int LatestSchemaVersion { get; }

    /// <summary>
    /// The migrations the database still lacks, in order: every one for a database that does not exist yet or has no Envoy
    /// schema, none once <see cref="IJobStore.InitializeAsync"/> has run. Reads only: creates no file, database, schema or
    /// table, and works before <see cref="IJobStore.InitializeAsync"/>.
    /// </summary>
    /// <exception cref="EnvoyException">The database cannot be reached, or it has a newer schema than this code.</exception>
    Task<IReadOnlyList<SchemaMigration>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default);
}
