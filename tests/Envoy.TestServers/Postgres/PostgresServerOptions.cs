namespace Envoy.TestServers;

/// <summary>How <see cref="PostgresServer.StartAsync(PostgresServerOptions, CancellationToken)"/> sets up a server.</summary>
public sealed class PostgresServerOptions
{
    /// <summary>The database created at start, named in <see cref="PostgresServer.ConnectionString"/>. Default "envoy", which every
    /// server has from the start at no cost; another name is created at start.</summary>
    public string Database { get; set; } = PostgresTemplate.Database;

    /// <summary>
    /// The server's max_connections. Default null: PostgreSQL's own default (100), the budget Envoy must live within on a
    /// server nobody tuned. Set it only to lower it (a test of what happens when the server runs out of connections).
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Extra server settings passed as <c>-c name=value</c>, for example <c>shared_buffers</c>. The defaults are the
    /// durable ones (fsync, synchronous_commit and full_page_writes on), so tests and benchmarks see real commit costs.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The folder holding initdb and postgres. Default: the ENVOY_TEST_PG_BIN variable, else the newest
    /// /usr/lib/postgresql/*/bin, else the folder of an initdb on PATH.
    /// </summary>
    public string? BinDirectory { get; set; }

    /// <summary>How long a start (initdb included) or restart may take before it fails. Default 60 s.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a fast shutdown may take before the server is killed. Default 30 s.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws, listing every problem, if the options cannot work.</summary>
    /// <exception cref="ArgumentException">One or more options are invalid.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (!PostgresNames.IsValidDatabaseName(Database))
        {
            errors.Add($"Database '{Database}' must be 1-63 letters, digits or underscores, starting with a letter or underscore.");
        }

        if (MaxConnections is < 1 or > 10_000)
        {
            errors.Add($"MaxConnections {MaxConnections} must be between 1 and 10000.");
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            errors.Add("StartTimeout must be positive.");
        }

        if (StopTimeout <= TimeSpan.Zero)
        {
            errors.Add("StopTimeout must be positive.");
        }

        foreach (var name in Settings.Keys.Where(name => !PostgresNames.IsValidSettingName(name)))
        {
            errors.Add($"Setting name '{name}' is not a PostgreSQL setting name.");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid PostgresServerOptions: " + string.Join(" ", errors));
        }
    }

    internal PostgresServerOptions Copy()
    {
        var copy = new PostgresServerOptions
        {
            Database = Database,
            MaxConnections = MaxConnections,
            BinDirectory = BinDirectory,
            StartTimeout = StartTimeout,
            StopTimeout = StopTimeout,
        };
        foreach (var (name, value) in Settings)
        {
            copy.Settings[name] = value;
        }

        return copy;
    }
}
