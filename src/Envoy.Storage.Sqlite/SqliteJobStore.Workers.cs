using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task SaveWorkerAsync(WorkerRow worker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(worker);
        var flows = WorkerFlowsJson.Encode(worker.Flows);
        return WriteAsync(
            tx =>
            {
                using var command = TxCommand(tx, SqliteSql.SaveWorker)
                    .Bind("@id", worker.Id)
                    .Bind("@host", worker.Host)
                    .Bind("@process_id", worker.ProcessId)
                    .Bind("@started_at", worker.StartedAtMs)
                    .Bind("@last_seen_at", worker.LastSeenAtMs)
                    .Bind("@until_ms", worker.UntilMs)
                    .Bind("@flows", flows);
                return command.ExecuteNonQuery();
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveWorkerAsync(string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        return WriteAsync(
            tx =>
            {
                using var command = TxCommand(tx, SqliteSql.RemoveWorker).Bind("@id", workerId);
                return command.ExecuteNonQuery() > 0;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkerRow>> ListWorkersAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<WorkerRow>>(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.ListWorkers).Bind("@now", nowMs);
                using var reader = command.ExecuteReader();
                var rows = new List<WorkerRow>();
                while (reader.Read())
                {
                    rows.Add(new WorkerRow
                    {
                        Id = reader.GetString(0),
                        Host = reader.GetString(1),
                        ProcessId = reader.GetInt32(2),
                        StartedAtMs = reader.GetInt64(3),
                        LastSeenAtMs = reader.GetInt64(4),
                        UntilMs = reader.GetInt64(5),
                        Flows = WorkerFlowsJson.Decode(reader.GetString(6)),
                    });
                }

                return rows;
            },
            cancellationToken);
}
