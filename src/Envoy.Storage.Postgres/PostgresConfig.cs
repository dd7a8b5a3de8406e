using Npgsql;

namespace Envoy;

/// <summary>
/// The PostgreSQL store (the source of truth for many machines): the one settings type of <c>PostgresJobStore</c>, of
/// <c>SchedulerConfig.Postgres</c>, of <c>UsePostgres</c> and of the configuration section <c>Envoy:Postgres</c>. Either the
/// server's parts (<see cref="Host"/>, <see cref="Port"/>, …) or a full <see cref="ConnectionString"/>. Validated when a store is
/// created, with every error listed; the store keeps a copy.
/// </summary>
public sealed class PostgresConfig
{
    /// <summary>The default of <see cref="MaxPoolSize"/>.</summary>
    public const int DefaultMaxPoolSize = 20;

    /// <summary>The default of <see cref="SearchTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSearchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The server host (default <c>localhost</c>).</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The server port (default 5432).</summary>
    public int Port { get; set; } = 5432;

    /// <summary>The user name (default <c>postgres</c>).</summary>
    public string Username { get; set; } = "postgres";

    /// <summary>The password.</summary>
    public string? Password { get; set; }

    /// <summary>The database (default <c>postgres</c>).</summary>
    public string Database { get; set; } = "postgres";

    /// <summary>
    /// A full Npgsql connection string; overrides <see cref="Host"/>, <see cref="Port"/>, <see cref="Username"/>,
    /// <see cref="Password"/> and <see cref="Database"/>. Pooling and automatic statement preparation are switched on if unset.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The most connections one store (one scheduler, one process) opens to the server at once (default
    /// <see cref="DefaultMaxPoolSize"/>, 20), everything included: the workers' claims and commits, reads, the <c>LISTEN</c>
    /// connection, a second one while the store-wide event feed has subscribers, and the maintenance advisory lock. Callers
    /// waiting for jobs hold none. Five processes with the default use at most 100, four fit beside PostgreSQL's three reserved
    /// connections under its default <c>max_connections</c> of 100: size it as (max_connections - reserved - other clients) /
    /// processes. A <c>Maximum Pool Size</c> in <see cref="ConnectionString"/> wins over this.
    /// </summary>
    public int MaxPoolSize { get; set; } = DefaultMaxPoolSize;

    /// <summary>
    /// How long the server may run a job list with a search term (<c>JobQuery.Search</c>, a <c>statement_timeout</c> for that
    /// query alone) before it stops it and the list throws <see cref="SearchTimeoutException"/> (default 1 s). A term that
    /// matches few jobs cannot use an index and reads every job the other filters leave: on 1,000,000 jobs that took 9–12 s.
    /// <see cref="Timeout.InfiniteTimeSpan"/> or zero: no limit.
    /// </summary>
    public TimeSpan SearchTimeout { get; set; } = DefaultSearchTimeout;

    /// <summary>
    /// How long an operation is retried through transient failures (a restarting server, a server out of connections: <c>53300
    /// too many clients</c>, a pool with no free connection) before the error surfaces (default 30 s).
    /// </summary>
    public TimeSpan TransientRetryWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Listen for other processes' wake-ups with LISTEN/NOTIFY (default true).</summary>
    public bool Listen { get; set; } = true;

    /// <summary>
    /// The Npgsql connection string these settings describe: <see cref="ConnectionString"/> when set, else one built from
    /// <see cref="Host"/>, <see cref="Port"/>, <see cref="Username"/>, <see cref="Password"/> and <see cref="Database"/>.
    /// (The store adds its pool size and statement preparation to it.)
    /// </summary>
    /// <exception cref="EnvoyConfigurationException">The settings are invalid (every problem listed).</exception>
    public string BuildConnectionString()
    {
        ThrowIfInvalid();
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Username = Username,
            Database = Database,
        };
        if (Password is not null)
        {
            builder.Password = Password;
        }

        return builder.ConnectionString;
    }

    /// <summary>Every problem with these settings (empty when valid), each naming its setting as <c>Postgres.&lt;Name&gt;</c>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            if (string.IsNullOrWhiteSpace(Host))
            {
                errors.Add("Postgres.Host or Postgres.ConnectionString must be set.");
            }

            if (Port is < 1 or > 65535)
            {
                errors.Add($"Postgres.Port must be between 1 and 65535 (was {Port}).");
            }
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Postgres.ConnectionString is not a valid Npgsql connection string: {e.Message}");
            }
        }

        if (MaxPoolSize < 2)
        {
            errors.Add($"Postgres.MaxPoolSize must be at least 2 (was {MaxPoolSize}): the LISTEN connection takes one.");
        }

        if (SearchTimeout < TimeSpan.Zero && SearchTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"Postgres.SearchTimeout cannot be negative (was {SearchTimeout}; zero or Timeout.InfiniteTimeSpan: no limit).");
        }

        if (TransientRetryWindow < TimeSpan.Zero)
        {
            errors.Add($"Postgres.TransientRetryWindow cannot be negative (was {TransientRetryWindow}).");
        }

        return errors;
    }

    /// <summary>Throws <see cref="EnvoyConfigurationException"/> listing every problem.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new EnvoyConfigurationException(errors);
        }
    }

    /// <summary>A copy, so that later changes to this instance do not reach a store or scheduler that captured it.</summary>
    public PostgresConfig Clone() => (PostgresConfig)MemberwiseClone();
}
