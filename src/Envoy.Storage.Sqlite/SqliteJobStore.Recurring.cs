using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task SaveRecurringAsync(RecurringRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return WriteAsync(
            tx =>
            {
                using var command = TxCommand(tx, SqliteSql.SaveRecurring)
                    .Bind("@id", row.Id)
                    .Bind("@flow", row.Flow)
                    .Bind("@cron", row.Cron)
                    .Bind("@time_zone", row.TimeZone)
                    .Bind("@input", row.InputJson)
                    .Bind("@priority", row.Priority)
                    .Bind("@enabled", row.Enabled ? 1 : 0)
                    .Bind("@next_run_at", row.NextRunAtMs)
                    .Bind("@updated_at", row.UpdatedAtMs);
                return command.ExecuteNonQuery();
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return WriteAsync(
            tx =>
            {
                using var command = TxCommand(tx, SqliteSql.DeleteRecurring).Bind("@id", id);
                return command.ExecuteNonQuery() > 0;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RecordRecurringRunAsync(RecurringRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync(
            tx =>
            {
                using var command = TxCommand(tx, run.Advance is null ? SqliteSql.RecordRecurringRun : SqliteSql.AdvanceRecurring)
                    .Bind("@id", run.Id)
                    .Bind("@last_run_at", run.RunAtMs)
                    .Bind("@last_job_id", run.JobId);
                if (run.Advance is { } advance)
                {
                    command.Bind("@expected", advance.ExpectedNextRunAtMs).Bind("@next_run_at", advance.NextRunAtMs);
                }

                return command.ExecuteNonQuery() > 0;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<RecurringRow?> GetRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.GetRecurring).Bind("@id", id);
                using var reader = command.ExecuteReader();
                return reader.Read() ? ReadRecurring(reader) : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecurringRow>> ListRecurringAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<RecurringRow>>(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.ListRecurring);
                using var reader = command.ExecuteReader();
                var rows = new List<RecurringRow>();
                while (reader.Read())
                {
                    rows.Add(ReadRecurring(reader));
                }

                return rows;
            },
            cancellationToken);

    private static RecurringRow ReadRecurring(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Flow = reader.GetString(1),
        Cron = reader.GetString(2),
        TimeZone = reader.GetString(3),
        InputJson = reader.GetNullableString(4),
        Priority = reader.GetInt32(5),
        Enabled = reader.GetInt64(6) != 0,
        NextRunAtMs = reader.GetNullableInt64(7),
        LastRunAtMs = reader.GetNullableInt64(8),
        LastJobId = reader.GetNullableString(9),
        UpdatedAtMs = reader.GetInt64(10),
    };

    private static SqliteCommand TxCommand(SqliteTransaction tx, string sql)
    {
        var command = NewCommand(tx.Connection!, sql);
        command.Transaction = tx;
        return command;
    }
}
