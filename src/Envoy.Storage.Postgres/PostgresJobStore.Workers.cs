using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task SaveWorkerAsync(WorkerRow worker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return ReadAsync(
            async connection =>
            {
                using var command = connection.Command(
                    PostgresSql.SaveWorker,
                    null,
                    P(worker.Id),
                    P(worker.Host),
                    P(worker.ProcessId),
                    P(worker.StartedAtMs),
                    P(worker.LastSeenAtMs),
                    P(worker.UntilMs),
                    P(WorkerFlowsJson.Encode(worker.Flows)));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RemoveWorkerAsync(string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workerId);
        return ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.RemoveWorker, null, P(workerId));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<WorkerRow>> ListWorkersAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<WorkerRow>>(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.ListWorkers, null, P(nowMs));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<WorkerRow>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(ReadWorker(reader));
                    }

                    return rows;
                }
            },
            cancellationToken);

    private static WorkerRow ReadWorker(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Host = reader.GetString(1),
        ProcessId = reader.GetInt32(2),
        StartedAtMs = reader.GetInt64(3),
        LastSeenAtMs = reader.GetInt64(4),
        UntilMs = reader.GetInt64(5),
        Flows = WorkerFlowsJson.Decode(reader.GetString(6)),
    };
}
