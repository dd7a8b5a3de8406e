namespace Envoy.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>The Npgsql connection string (pooling and automatic statement preparation are switched on if unset).</summary>
    public required string ConnectionString { get; set; }

    /// <summary>How long a transaction is retried through transient failures (a restarting server) before the error surfaces (default 30 s).</summary>
    public TimeSpan TransientRetryWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Listen for other processes' wake-ups with LISTEN/NOTIFY (default true).</summary>
    public bool Listen { get; set; } = true;
}
