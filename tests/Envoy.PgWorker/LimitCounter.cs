using Npgsql;

namespace Envoy.PgWorker;

/// <summary>
/// The concurrency-limit test's counter (issue 18), a table next to the job tables: a handler of the <c>limited</c> flow adds
/// one to its key's <c>running</c> when it starts (keeping the highest value seen in <c>peak</c>) and takes one off when it
/// ends, each in its own autocommitted statement (the key's row lock orders them). <c>peak</c> above the limit would show
/// more jobs of a key running at once, across every process.
/// </summary>
public sealed class LimitCounter
{
    public const string Schema = """
        CREATE SCHEMA IF NOT EXISTS fault;
        CREATE TABLE IF NOT EXISTS fault.limit_running (
          key text PRIMARY KEY,
          running integer NOT NULL,
          peak integer NOT NULL,
          starts integer NOT NULL);
        """;

    private const string Enter = """
        INSERT INTO fault.limit_running (key, running, peak, starts) VALUES ($1, 1, 1, 1)
        ON CONFLICT (key) DO UPDATE SET running = fault.limit_running.running + 1,
          peak = greatest(fault.limit_running.peak, fault.limit_running.running + 1), starts = fault.limit_running.starts + 1
        """;

    private const string Leave = "UPDATE fault.limit_running SET running = running - 1 WHERE key = $1";

    private readonly NpgsqlDataSource _dataSource;

    public LimitCounter(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "envoy-limit-counter" };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(Schema);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation)
        {
            // Two workers created the schema at once: it exists.
        }
    }

    /// <summary>Counts a handler of <paramref name="key"/> in while <paramref name="work"/> runs.</summary>
    public async Task RunCountedAsync(string key, Func<Task> work)
    {
        await ExecuteAsync(Enter, key);
        try
        {
            await work();
        }
        finally
        {
            await ExecuteAsync(Leave, key);
        }
    }

    private async Task ExecuteAsync(string sql, string key)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(key);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
