namespace Envoy.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>The Npgsql connection string (pooling and automatic statement preparation are switched on if unset).</summary>
    public required string ConnectionString { get; set; }

    /// <summary>The default of <see cref="MaxPoolSize"/>.</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>
    /// The most connections this store opens to the server at once (default <see cref="DefaultMaxPoolSize"/>, 20), everything
    /// included: the workers' claims and commits, reads, the <c>LISTEN</c> connection, a second one while the store-wide event feed has subscribers, and the maintenance advisory lock. Callers
    /// waiting for jobs hold none. Five processes with the default use at most 100, four fit beside PostgreSQL's three reserved
    /// connections under its default <c>max_connections</c> of 100: size it as (max_connections - reserved - other clients) /
    /// processes. A <c>Maximum Pool Size</c> in <see cref="ConnectionString"/> wins over this.
    /// </summary>
    public int MaxPoolSize { get; set; } = DefaultMaxPoolSize;

    /// <summary>
    /// How long an operation is retried through transient failures (a restarting server, a server out of connections: <c>53300
    /// too many clients</c>, a pool with no free connection) before the error surfaces (default 30 s).
    /// </summary>
    public TimeSpan TransientRetryWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Listen for other processes' wake-ups with LISTEN/NOTIFY (default true).</summary>
    public bool Listen { get; set; } = true;

    /// <summary>The default of <see cref="SearchTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSearchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the server may run a job list with a search term (<c>JobQuery.Search</c>, a <c>statement_timeout</c> for that
    /// query alone) before it stops it and the list throws <see cref="SearchTimeoutException"/> (default 1 s). A term that
    /// matches few jobs cannot use an index and reads every job the other filters leave: on 1,000,000 jobs that took 9–12 s.
    /// <see cref="Timeout.InfiniteTimeSpan"/> or zero: no limit.
    /// </summary>
    public TimeSpan SearchTimeout { get; set; } = DefaultSearchTimeout;
}
