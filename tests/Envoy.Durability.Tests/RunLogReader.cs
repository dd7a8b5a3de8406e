using Microsoft.Data.Sqlite;

namespace Envoy.Durability.Tests;

/// <summary>Reads the fault worker's run log: how many times each handler ran, per (job, state, step), and the per-(job, state) counters.</summary>
internal sealed record RunLogReader(
    IReadOnlyDictionary<(string Job, string State, int Step), int> Runs,
    IReadOnlyDictionary<(string Job, string State), int> Counters)
{
    public int TotalRuns => Runs.Values.Sum();

    public static RunLogReader Read(string path)
    {
        var runs = new Dictionary<(string, string, int), int>();
        var counters = new Dictionary<(string, string), int>();
        if (!File.Exists(path))
        {
            return new RunLogReader(runs, counters);
        }

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT job_id, state, step, count(*) FROM handler_runs GROUP BY job_id, state, step";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs[(reader.GetString(0), reader.GetString(1), reader.GetInt32(2))] = reader.GetInt32(3);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT job_id, state, runs FROM state_counters";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                counters[(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
            }
        }

        return new RunLogReader(runs, counters);
    }
}
