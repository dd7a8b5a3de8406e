using System.Text;
using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task<JobRecord?> GetJobAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                var jobs = await ReadJobsAsync(connection.Command(PostgresSql.GetJob, null, P(id)), cancellationToken).ConfigureAwait(false);
                if (jobs.Count == 0)
                {
                    return null;
                }

                // Resolutions stay unapplied until a step commits them: a blocking, pending or running job shows what it received.
                return !jobs[0].Status.IsTerminal() ? (await AttachResolutionsAsync(connection, null, jobs, cancellationToken).ConfigureAwait(false))[0] : jobs[0];
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
            async connection =>
            {
                var jobs = await ReadJobsAsync(connection.Command(PostgresSql.GetJobs, null, P(ids.ToArray())), cancellationToken).ConfigureAwait(false);
                return jobs.Exists(j => !j.Status.IsTerminal()) ? await AttachResolutionsAsync(connection, null, jobs, cancellationToken).ConfigureAwait(false) : jobs;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var where = new StringBuilder("true");
        var parameters = new List<NpgsqlParameter>();
        void Filter(string condition, NpgsqlParameter parameter)
        {
            parameters.Add(parameter);
            where.Append(" AND ").Append(condition.Replace("$?", "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        if (query.Status is { } status)
        {
            Filter("status = $?", P((short)status));
        }

        if (query.Flow is not null)
        {
            Filter("flow = $?", P(query.Flow));
        }

        if (query.ExcludeFlows is { Count: > 0 } excluded)
        {
            Filter("flow <> ALL($?)", P(excluded.ToArray()));
        }

        if (query.ExcludeFlowVersions is { Count: > 0 } pairs)
        {
            // A job of one of these pairs, or with no recorded version ('') of one of these flows, is served: left out.
            parameters.Add(P(pairs.Select(p => p.Flow).Distinct(StringComparer.Ordinal).ToArray()));
            var flowsAt = "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Filter("NOT (flow = ANY(" + flowsAt + ") AND (flow_version = '' OR flow || chr(31) || flow_version = ANY($?)))", P(pairs.Select(p => FlowVersionKey.Of(p.Flow, p.Version)).ToArray()));
        }

        if (query.ParentId is not null)
        {
            Filter("parent_id = $?", P(query.ParentId));
        }

        if (query.CreatedAfter is { } after)
        {
            Filter("created_at >= $?", P(after.ToUnixTimeMilliseconds()));
        }

        if (query.CreatedBefore is { } before)
        {
            Filter("created_at < $?", P(before.ToUnixTimeMilliseconds()));
        }

        if (!string.IsNullOrEmpty(query.Search))
        {
            Filter(PostgresSql.SearchCondition, P(StoreRows.ContainsPattern(query.Search)));
        }

        parameters.Add(P(query.Limit));
        parameters.Add(P(query.Offset));
        var page = FormattableString.Invariant($"ORDER BY created_at DESC, seq DESC LIMIT ${parameters.Count - 1} OFFSET ${parameters.Count}");
        string sql;
        if (query.Flow is not null && query.Status is null)
        {
            // The one flow index leads with (flow, status): one walk of it per status, each stopping after offset + limit
            // entries, merged newest first. (Its own index for a flow alone would cost every insert and every status change.)
            parameters.Add(P(query.Offset + query.Limit));
            var branches = Enum.GetValues<JobStatus>().Select(status => FormattableString.Invariant(
                $"(SELECT {PostgresSql.JobColumns}, seq FROM envoy.jobs WHERE {where} AND status = {(int)status} ORDER BY created_at DESC, seq DESC LIMIT ${parameters.Count})"));
            sql = $"SELECT * FROM ({string.Join(" UNION ALL ", branches)}) by_status {page}";
        }
        else
        {
            sql = $"SELECT {PostgresSql.JobColumns} FROM envoy.jobs WHERE {where} {page}";
        }

        var search = string.IsNullOrEmpty(query.Search) ? null : query.Search;
        return ReadAsync<IReadOnlyList<JobRecord>>(
            async connection =>
            {
                var jobs = search is null || !HasSearchTimeout
                    ? await ReadJobsAsync(connection.Command(sql, null, [.. parameters]), cancellationToken).ConfigureAwait(false)
                    : await SearchJobsAsync(connection, sql, parameters, search, cancellationToken).ConfigureAwait(false);
                return jobs.Exists(j => !j.Status.IsTerminal()) ? await AttachResolutionsAsync(connection, null, jobs, cancellationToken).ConfigureAwait(false) : jobs;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobEvent>?> GetHistoryAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<JobEvent>?>(
            async connection =>
            {
                using (var exists = connection.Command(PostgresSql.JobExists, null, P(id)))
                {
                    if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                    {
                        return null;
                    }
                }

                using var command = connection.Command(PostgresSql.History, null, P(id));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var events = new List<JobEvent>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        events.Add(StoreRows.ReadEvent(reader));
                    }

                    return events;
                }
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<Escalation?> GetEscalationAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                var list = await ReadEscalationsAsync(connection.Command(PostgresSql.GetEscalation, null, P(id)), cancellationToken).ConfigureAwait(false);
                return list.Count == 0 ? null : list[0];
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<Escalation>> ListEscalationsAsync(EscalationStatus? status, string? user, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<Escalation>>(
            async connection => await ReadEscalationsAsync(
                connection.Command(PostgresSql.ListEscalations, null, P(status is { } s ? (short)s : (short?)null), P(user)),
                cancellationToken).ConfigureAwait(false),
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextDueAtAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.NextDue, null, P(nowMs));
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> OldestDueAtAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.OldestDue, null, P(nowMs));
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<int> CountRunningLimitedAsync(string flow, string concurrencyKey, CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.CountRunningLimited, null, P(flow), P(concurrencyKey));
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return value is int count ? count : 0;
            },
            cancellationToken);

    private bool HasSearchTimeout => _options.SearchTimeout > TimeSpan.Zero && _options.SearchTimeout != Timeout.InfiniteTimeSpan;

    /// <summary>
    /// A job list with a search term, under <see cref="PostgresConfig.SearchTimeout"/>: one batch (one implicit
    /// transaction) that sets <c>statement_timeout</c> for that transaction alone, then runs the query. The server stops a
    /// query that runs longer (<c>57014 query_canceled</c>), which becomes <see cref="SearchTimeoutException"/>; a cancellation
    /// by the caller stays a cancellation.
    /// </summary>
    private async Task<List<JobRecord>> SearchJobsAsync(NpgsqlConnection connection, string sql, List<NpgsqlParameter> parameters, string search, CancellationToken cancellationToken)
    {
        var timeoutMs = Math.Max(1, (long)Math.Ceiling(_options.SearchTimeout.TotalMilliseconds));
        var batch = new NpgsqlBatch(connection);
        await using (batch.ConfigureAwait(false))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(PostgresSql.SearchSettings) { Parameters = { P(timeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture)) } });
#pragma warning disable CA2100 // SQL built from PostgresSql constants only; every value is a parameter.
            var list = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
            foreach (var parameter in parameters)
            {
                list.Parameters.Add(parameter);
            }

            batch.BatchCommands.Add(list);
            try
            {
                var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                    var jobs = new List<JobRecord>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        jobs.Add(StoreRows.ReadJob(reader));
                    }

                    return jobs;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !cancellationToken.IsCancellationRequested)
            {
                throw new SearchTimeoutException(search, _options.SearchTimeout, e);
            }
        }
    }

    private static async Task<List<JobRecord>> ReadJobsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var jobs = new List<JobRecord>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    jobs.Add(StoreRows.ReadJob(reader));
                }

                return jobs;
            }
        }
    }

    private static async Task<List<Escalation>> ReadEscalationsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var list = new List<Escalation>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    list.Add(StoreRows.ReadEscalation(reader));
                }

                return list;
            }
        }
    }
}
