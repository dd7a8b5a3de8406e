using System.Text;
using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.GetJob).Bind("@id", id);
                JobRecord job;
                using (var reader = command.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        return null;
                    }

                    job = StoreRows.ReadJob(reader);
                }

                // Resolutions stay unapplied from the moment a wait resolves until a step commits them: the job may be blocking,
                // pending (unblocked) or running (claimed), and every one of them must show what it has received so far.
                return job.Status.IsTerminal() ? job : AttachResolutions([job], null, connection)[0];
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> GetJobsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<JobRecord>>([]);
        }

        return ReadAsync<IReadOnlyList<JobRecord>>(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.GetJobs).Bind("@ids", ToJsonArray(ids));
                var jobs = new List<JobRecord>(ids.Count);
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        jobs.Add(StoreRows.ReadJob(reader));
                    }
                }

                return jobs.Exists(j => !j.Status.IsTerminal()) ? AttachResolutions(jobs, null, connection) : jobs;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var sql = new StringBuilder($"SELECT {SqliteSql.JobReadColumns} FROM jobs WHERE 1 = 1");
        if (query.Status is not null)
        {
            sql.Append(" AND status = @status");
        }

        if (query.Flow is not null)
        {
            sql.Append(" AND flow = @flow");
        }

        if (query.ExcludeFlows is { Count: > 0 })
        {
            sql.Append(" AND flow NOT IN (SELECT value FROM json_each(@exclude_flows))");
        }

        if (query.ExcludeFlowVersions is { Count: > 0 })
        {
            // A job of one of these pairs, or with no recorded version ('') of one of these flows, is served: left out.
            sql.Append(" AND NOT (flow IN (SELECT value FROM json_each(@exclude_pair_flows)) AND (flow_version = '' OR flow || char(31) || flow_version IN (SELECT value FROM json_each(@exclude_pairs))))");
        }

        if (query.ParentId is not null)
        {
            sql.Append(" AND parent_id = @parent_id");
        }

        if (query.CreatedAfter is not null)
        {
            sql.Append(" AND created_at >= @after");
        }

        if (query.CreatedBefore is not null)
        {
            sql.Append(" AND created_at < @before");
        }

        var search = string.IsNullOrEmpty(query.Search) ? null : StoreRows.ContainsPattern(query.Search);
        if (search is not null)
        {
            sql.Append(" AND ").Append(SqliteSql.SearchCondition);
        }

        sql.Append(" ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset");
        return ReadAsync<IReadOnlyList<JobRecord>>(
            connection =>
            {
                using var command = NewCommand(connection, sql.ToString())
                    .Bind("@status", query.Status is { } s ? (int)s : null)
                    .Bind("@flow", query.Flow)
                    .Bind("@exclude_flows", query.ExcludeFlows is { Count: > 0 } excluded ? ToJsonArray(excluded) : null)
                    .Bind("@exclude_pair_flows", query.ExcludeFlowVersions is { Count: > 0 } pairs ? ToJsonArray(pairs.Select(p => p.Flow).Distinct(StringComparer.Ordinal)) : null)
                    .Bind("@exclude_pairs", query.ExcludeFlowVersions is { Count: > 0 } keyed ? ToJsonArray(keyed.Select(p => FlowVersionKey.Of(p.Flow, p.Version))) : null)
                    .Bind("@parent_id", query.ParentId)
                    .Bind("@after", query.CreatedAfter?.ToUnixTimeMilliseconds())
                    .Bind("@before", query.CreatedBefore?.ToUnixTimeMilliseconds())
                    .Bind("@search", search)
                    .Bind("@limit", query.Limit)
                    .Bind("@offset", query.Offset);
                var jobs = new List<JobRecord>();
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        jobs.Add(StoreRows.ReadJob(reader));
                    }
                }

                return jobs.Exists(j => !j.Status.IsTerminal()) ? AttachResolutions(jobs, null, connection) : jobs;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobEvent>?> GetHistoryAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<JobEvent>?>(
            connection =>
            {
                using (var exists = NewCommand(connection, "SELECT 1 FROM jobs WHERE id = @id").Bind("@id", id))
                {
                    if (exists.ExecuteScalar() is null)
                    {
                        return null;
                    }
                }

                using var command = NewCommand(connection, SqliteSql.History).Bind("@id", id);
                using var reader = command.ExecuteReader();
                var events = new List<JobEvent>();
                while (reader.Read())
                {
                    events.Add(StoreRows.ReadEvent(reader));
                }

                return events;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<Escalation?> GetEscalationAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.GetEscalation).Bind("@id", id);
                using var reader = command.ExecuteReader();
                return reader.Read() ? StoreRows.ReadEscalation(reader) : null;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status, string? user, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<Escalation>>(
            connection =>
            {
                var sql = $"SELECT {SqliteSql.EscalationColumns} FROM escalations WHERE (@status IS NULL OR status = @status) AND (@user IS NULL OR user_name = @user) ORDER BY created_at DESC, rowid DESC";
                using var command = NewCommand(connection, sql).Bind("@status", status is { } s ? (int)s : null).Bind("@user", user);
                using var reader = command.ExecuteReader();
                var list = new List<Escalation>();
                while (reader.Read())
                {
                    list.Add(StoreRows.ReadEscalation(reader));
                }

                return list;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextDueAtAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.NextDue).Bind("@now", nowMs);
                var value = command.ExecuteScalar();
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    private static SqliteCommand NewCommand(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // SQL is built from constant fragments only; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        return command;
    }
}
