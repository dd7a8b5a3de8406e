namespace Envoy;

/// <summary>The embedded SQLite store: one file (default <c>envoy.db</c>; <c>:memory:</c> allowed).</summary>
public sealed class SqliteConfig
{
    /// <summary>The database file path.</summary>
    public string Path { get; set; } = "envoy.db";

    /// <summary>A full connection string; overrides <see cref="Path"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>True (default): every commit is fsynced (<c>synchronous=FULL</c>); false: <c>NORMAL</c>, durable across process crashes only.</summary>
    public bool FullSync { get; set; } = true;
}
