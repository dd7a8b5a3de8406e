using Npgsql;

namespace Envoy.PgWorker;

/// <summary>
/// The counter outside the job tables: a table in the same PostgreSQL database (schema <c>fault</c>) where every handler run
/// adds one to its (job, state, step) row (and names the process that ran it last), in its own transaction, before the step can commit. Comparing it with the committed
/// history tells re-run handlers (at least once) from committed steps (exactly once). Writes ride out a PostgreSQL restart.
/// </summary>
public sealed class CounterTable
{
    public const string Schema = """
        CREATE SCHEMA IF NOT EXISTS fault;
        CREATE TABLE IF NOT EXISTS fault.handler_runs (
          job_id text NOT NULL,
          state text NOT NULL,
          step integer NOT NULL,
          runs integer NOT NULL,
          last_pid integer NOT NULL,
          PRIMARY KEY (job_id, state, step));
        """;

    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(60);
    private readonly NpgsqlDataSource _dataSource;

    public CounterTable(string connectionString)
    {
        // Asynchronous commit: the counter survives a worker's SIGKILL and a clean PostgreSQL restart, and costs no fsync.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=off", ApplicationName = "envoy-fault-counter" };
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

    /// <summary>Adds one run of (job, state, step); retries through connection failures (a PostgreSQL restart) for up to a minute.</summary>
    public async Task RecordAsync(string jobId, string state, int step, CancellationToken ct)
    {
        var deadline = Environment.TickCount64 + (long)RetryFor.TotalMilliseconds;
        while (true)
        {
            try
            {
                await using var command = _dataSource.CreateCommand(
                    "INSERT INTO fault.handler_runs (job_id, state, step, runs, last_pid) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (job_id, state, step) DO UPDATE SET runs = fault.handler_runs.runs + 1, last_pid = excluded.last_pid");
                command.Parameters.AddWithValue(jobId);
                command.Parameters.AddWithValue(state);
                command.Parameters.AddWithValue(step);
                command.Parameters.AddWithValue(Environment.ProcessId);
                await command.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && Environment.TickCount64 < deadline && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct); // the server is restarting: try again shortly, within the deadline
            }
        }
    }
}
