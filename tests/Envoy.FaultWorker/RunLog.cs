using Microsoft.Data.Sqlite;

namespace Envoy.FaultWorker;

/// <summary>
/// The counter outside the job: a separate SQLite file where every handler run is recorded (job, state, step, process)
/// before the step can commit, and a per-(job, state) run counter. Comparing it with the job's committed history tells
/// re-run handlers (at least once) from committed steps (exactly once).
/// </summary>
public sealed class RunLog : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS handler_runs (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          job_id TEXT NOT NULL,
          state TEXT NOT NULL,
          step INTEGER NOT NULL,
          pid INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS state_counters (
          job_id TEXT NOT NULL,
          state TEXT NOT NULL,
          runs INTEGER NOT NULL,
          PRIMARY KEY (job_id, state));
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public RunLog(string path)
    {
        _connection = new SqliteConnection($"Data Source={path};Pooling=False");
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; " + Schema;
        command.ExecuteNonQuery();
    }

    /// <summary>Records one run of a handler; durable (in the OS) once this returns, before the step can commit.</summary>
    public void Record(string jobId, string state, int step)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                INSERT INTO handler_runs (job_id, state, step, pid) VALUES ($job, $state, $step, $pid);
                INSERT INTO state_counters (job_id, state, runs) VALUES ($job, $state, 1)
                  ON CONFLICT (job_id, state) DO UPDATE SET runs = runs + 1;
                """;
            command.Parameters.AddWithValue("$job", jobId);
            command.Parameters.AddWithValue("$state", state);
            command.Parameters.AddWithValue("$step", step);
            command.Parameters.AddWithValue("$pid", Environment.ProcessId);
            command.ExecuteNonQuery();
            tx.Commit();
        }
    }

    public void Dispose() => _connection.Dispose();
}
