using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<int> CountRunningLimitedAsync(string flow, string concurrencyKey, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.CountRunningLimited).Bind("@flow", flow).Bind("@key", concurrencyKey);
                return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <summary>
    /// Claims due pending jobs with a concurrency limit, in the claim's write transaction (SQLite's one writer: no other claim
    /// runs between the count and the update). The (flow, key) scopes with limited pending jobs are found by a loose scan of
    /// <c>jobs_limited_ready</c> (one probe per scope, however many jobs a scope holds); of those of the claimer's flows, the
    /// ones whose next due job (of a version it has) has a free slot are served best next job first, each with as many jobs
    /// as its free slots (the next job's limit − its running jobs).
    /// </summary>
    private void ClaimLimitedInto(List<JobRecord> claimed, ClaimRequest request, string? flowVersions, SqliteTransaction tx)
    {
        var flows = request.Flows as IReadOnlySet<string> ?? new HashSet<string>(request.Flows, StringComparer.Ordinal);
        var open = new List<(string Flow, string Key, int Free, int Priority, long RunAt, long Seq)>();
        var (flow, key) = (string.Empty, string.Empty); // before every scope: a flow name is never empty
        while (true)
        {
            using (var reader = Commands.Get(SqliteSql.NextLimitedScope, tx).Bind("@flow", flow).Bind("@key", key).ExecuteReader())
            {
                if (!reader.Read())
                {
                    break;
                }

                (flow, key) = (reader.GetString(0), reader.GetString(1));
            }

            if (!flows.Contains(flow))
            {
                continue;
            }

            using var head = Commands.Get(SqliteSql.LimitedScopeHead, tx)
                .Bind("@flow", flow).Bind("@key", key).Bind("@now", request.NowMs).Bind("@flow_versions", flowVersions)
                .ExecuteReader();
            if (!head.Read())
            {
                continue;
            }

            var running = Convert.ToInt32(
                Commands.Get(SqliteSql.CountRunningLimited, tx).Bind("@flow", flow).Bind("@key", key).ExecuteScalar(),
                System.Globalization.CultureInfo.InvariantCulture);
            var free = head.GetInt32(0) - running;
            if (free > 0)
            {
                open.Add((flow, key, free, head.GetInt32(1), head.GetInt64(2), head.GetInt64(3)));
            }
        }

        foreach (var scope in open.OrderByDescending(o => o.Priority).ThenBy(o => o.RunAt).ThenBy(o => o.Seq))
        {
            var max = Math.Min(scope.Free, request.Max - claimed.Count);
            if (max <= 0)
            {
                break;
            }

            using var reader = Commands.Get(SqliteSql.ClaimLimited, tx)
                .Bind("@owner", request.Owner)
                .Bind("@until", request.LeaseUntilMs)
                .Bind("@now", request.NowMs)
                .Bind("@flow", scope.Flow)
                .Bind("@key", scope.Key)
                .Bind("@flow_versions", flowVersions)
                .Bind("@max", max)
                .ExecuteReader();
            while (reader.Read())
            {
                claimed.Add(StoreRows.ReadJob(reader));
            }
        }
    }
}
