using System.Text.Json;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

/// <summary>Retention: the purge of finished jobs past their retention, and the unfinished jobs past their flow's maximum age.</summary>
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<PurgeResult> PurgeJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (cutoffs.KeepsEverything)
        {
            return Task.FromResult(PurgeResult.None);
        }

        var own = JsonSerializer.Serialize(cutoffs.FlowBeforeMs.ToDictionary(f => f.Key, f => cutoffs.BeforeMsOf(f.Key), StringComparer.Ordinal));
        return WriteAsync(
            tx =>
            {
                var ids = new List<string>();
                using (var reader = Commands.Get(SqliteSql.PurgeCandidates, tx)
                    .Bind("@latest", cutoffs.LatestBeforeMs).Bind("@cutoffs", own).Bind("@default", cutoffs.DefaultBeforeMs ?? RetentionCutoffs.Never).Bind("@limit", limit)
                    .ExecuteReader())
                {
                    while (reader.Read())
                    {
                        ids.Add(reader.GetString(0));
                    }
                }

                if (ids.Count == 0)
                {
                    return PurgeResult.None;
                }

                var json = ToJsonArray(ids);
                var events = Commands.Get(SqliteSql.PurgeEvents, tx).Bind("@ids", json).ExecuteNonQuery();
                var waits = Commands.Get(SqliteSql.PurgeWaits, tx).Bind("@ids", json).ExecuteNonQuery();
                var escalations = Commands.Get(SqliteSql.PurgeEscalations, tx).Bind("@ids", json).ExecuteNonQuery();
                var jobs = Commands.Get(SqliteSql.PurgeJobs, tx).Bind("@ids", json).ExecuteNonQuery();
                return new PurgeResult(jobs, events, waits, escalations);
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AgedJob>> FindAgedJobsAsync(string flow, long createdBeforeMs, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return ReadAsync<IReadOnlyList<AgedJob>>(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.AgedJobs).Bind("@flow", flow).Bind("@before", createdBeforeMs).Bind("@limit", limit);
                using var reader = command.ExecuteReader();
                var jobs = new List<AgedJob>();
                while (reader.Read())
                {
                    jobs.Add(new AgedJob(reader.GetString(0), reader.GetInt64(1)));
                }

                return jobs;
            },
            cancellationToken);
    }
}
