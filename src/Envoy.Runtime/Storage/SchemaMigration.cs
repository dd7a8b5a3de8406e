namespace Envoy.Runtime.Storage;

/// <summary>One numbered schema migration of a store: its version (1, 2, ...) and what it changes, in a short sentence.</summary>
/// <param name="Version">The schema version the migration brings the store to.</param>
/// <param name="Description">What the migration changes (tables, columns, indexes).</param>
public sealed record SchemaMigration(int Version, string Description);
