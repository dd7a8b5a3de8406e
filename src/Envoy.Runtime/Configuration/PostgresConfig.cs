namespace Envoy;

/// <summary>The PostgreSQL store (the source of truth for many machines).</summary>
public sealed class PostgresConfig
{
    /// <summary>The server host.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The server port.</summary>
    public int Port { get; set; } = 5432;

    /// <summary>The user name.</summary>
    public string Username { get; set; } = "postgres";

    /// <summary>The password.</summary>
    public string? Password { get; set; }

    /// <summary>The database.</summary>
    public string Database { get; set; } = "postgres";

    /// <summary>
    /// The most connections one scheduler (one process) opens to the server at once, everything included (default 20; callers
    /// waiting for jobs hold none). Size it so that processes × this stays under the server's <c>max_connections</c> (100 by
    /// default) minus its reserved and other clients' connections. A <c>Maximum Pool Size</c> in <see cref="ConnectionString"/>
    /// wins over this.
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>A full Npgsql connection string; overrides the other properties.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long the server may run a job list with a search term before it stops it (<see cref="SearchTimeoutException"/>;
    /// default 1 s). A term that matches few jobs reads every job the other filters leave. Zero: no limit.
    /// </summary>
    public TimeSpan SearchTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
