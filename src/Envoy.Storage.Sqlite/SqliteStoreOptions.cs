namespace Envoy.Storage.Sqlite;

/// <summary>How the SQLite store syncs commits to disk.</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is fsynced: durable across power loss (the default).</summary>
    Full,

    /// <summary>WAL commits are fsynced at checkpoints: durable across process crashes, not power loss; faster.</summary>
    Normal,
}

/// <summary>Settings of the SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>The database file (default <c>envoy.db</c>); <c>:memory:</c> keeps everything in this process.</summary>
    public string Path { get; set; } = "envoy.db";

    /// <summary>A full Microsoft.Data.Sqlite connection string; overrides <see cref="Path"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Commit durability (default <see cref="SqliteSynchronous.Full"/>).</summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>How often another process's commits are looked for (default 50 ms).</summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
