using Microsoft.Data.Sqlite;

namespace Envoy;

/// <summary>
/// The embedded SQLite store (one file, default <c>envoy.db</c>; <c>:memory:</c> keeps everything in this process): the one
/// settings type of <c>SqliteJobStore</c>, of <c>SchedulerConfig.Sqlite</c>, of <c>UseSqlite</c> and of the configuration
/// section <c>Envoy:Sqlite</c>. Validated when a store is created, with every error listed; the store keeps a copy.
/// </summary>
public sealed class SqliteConfig
{
    /// <summary>The database file path (default <c>envoy.db</c>); <c>:memory:</c> keeps everything in this process.</summary>
    public string Path { get; set; } = "envoy.db";

    /// <summary>A full Microsoft.Data.Sqlite connection string; overrides <see cref="Path"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// True (default): every commit is fsynced (<c>synchronous=FULL</c>), durable across power loss; false: <c>NORMAL</c>, WAL
    /// commits are fsynced at checkpoints only, durable across process crashes, not power loss; faster.
    /// </summary>
    public bool FullSync { get; set; } = true;

    /// <summary>How often another process's commits are looked for (default 50 ms).</summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The connection string these settings describe: <see cref="ConnectionString"/> when set, else one for <see cref="Path"/>.</summary>
    /// <exception cref="EnvoyConfigurationException">The settings are invalid (every problem listed).</exception>
    public string BuildConnectionString()
    {
        ThrowIfInvalid();
        return string.IsNullOrWhiteSpace(ConnectionString) ? new SqliteConnectionStringBuilder { DataSource = Path }.ToString() : ConnectionString;
    }

    /// <summary>Every problem with these settings (empty when valid), each naming its setting as <c>Sqlite.&lt;Name&gt;</c>.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            if (string.IsNullOrWhiteSpace(Path))
            {
                errors.Add("Sqlite.Path or Sqlite.ConnectionString must be set.");
            }
        }
        else
        {
            try
            {
                _ = new SqliteConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Sqlite.ConnectionString is not a valid SQLite connection string: {e.Message}");
            }
        }

        if (ChangePollInterval <= TimeSpan.Zero)
        {
            errors.Add($"Sqlite.ChangePollInterval must be positive (was {ChangePollInterval}).");
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
    public SqliteConfig Clone() => (SqliteConfig)MemberwiseClone();
}
