using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task SaveRecurringAsync(RecurringRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        return ReadAsync(
            async connection =>
            {
                using var command = connection.Command(
                    PostgresSql.SaveRecurring,
                    null,
                    P(row.Id),
                    P(row.Flow),
                    P(row.Cron),
                    P(row.TimeZone),
                    P(row.InputJson),
                    P(row.Priority),
                    P(row.Enabled),
                    P(row.NextRunAtMs),
                    P(row.UpdatedAtMs));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> DeleteRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.DeleteRecurring, null, P(id));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RecordRecurringRunAsync(RecurringRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return ReadAsync(
            async connection =>
            {
                using var command = run.Advance is { } advance
                    ? connection.Command(PostgresSql.AdvanceRecurring, null, P(run.Id), P(run.RunAtMs), P(run.JobId), P(advance.ExpectedNextRunAtMs), P(advance.NextRunAtMs))
                    : connection.Command(PostgresSql.RecordRecurringRun, null, P(run.Id), P(run.RunAtMs), P(run.JobId));
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<RecurringRow?> GetRecurringAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.GetRecurring, null, P(id));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRecurring(reader) : null;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<RecurringRow>> ListRecurringAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<RecurringRow>>(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.ListRecurring, null);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<RecurringRow>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(ReadRecurring(reader));
                    }

                    return rows;
                }
            },
            cancellationToken);

    private static RecurringRow ReadRecurring(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Flow = reader.GetString(1),
        Cron = reader.GetString(2),
        TimeZone = reader.GetString(3),
        InputJson = reader.GetNullableString(4),
        Priority = reader.GetInt32(5),
        Enabled = reader.GetBoolean(6),
        NextRunAtMs = reader.GetNullableInt64(7),
        LastRunAtMs = reader.GetNullableInt64(8),
        LastJobId = reader.GetNullableString(9),
        UpdatedAtMs = reader.GetInt64(10),
    };
}
