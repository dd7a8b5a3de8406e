using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

/// <summary>Status reads, counts and the maintenance pass.</summary>
public sealed partial class SqliteJobStore
{
    private readonly LocalLeaderGroup _leaders;
    private readonly string? _leaderFile;

    /// <inheritdoc />
    public Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.JobStatus).Bind("@id", id);
                var value = command.ExecuteScalar();
                return value is null or DBNull ? (JobStatus?)null : (JobStatus)Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyDictionary<JobStatus, long>>(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.CountJobs);
                using var reader = command.ExecuteReader();
                var counts = StoreRows.ZeroCounts();
                while (reader.Read())
                {
                    counts[(JobStatus)reader.GetInt32(0)] = reader.GetInt64(1);
                }

                return counts;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> OldestDueAtAsync(long nowMs, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.OldestDue).Bind("@now", nowMs);
                var value = command.ExecuteScalar();
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<MaintenanceResult> RunMaintenanceAsync(long sinceMs, long nowMs, int limit, CancellationToken cancellationToken = default)
    {
        var effects = new StoreEffects();
        return WriteAsync(
            tx =>
            {
                var expired = new List<string>();
                using (var reader = Commands.Get(SqliteSql.ExpiredLeases, tx).Bind("@now", nowMs).Bind("@limit", limit).ExecuteReader())
                {
                    while (reader.Read())
                    {
                        expired.Add(reader.GetString(0));
                    }
                }

                foreach (var id in expired)
                {
                    Commands.Get(SqliteSql.ReleaseExpiredLease, tx).Bind("@now", nowMs).Bind("@id", id).ExecuteNonQuery();
                    InsertEvent(new JobEvent(id, FromMs(nowMs), JobEventKind.LeaseExpired, From: JobStatus.Running, To: JobStatus.Pending), tx);
                }

                var promoted = Convert.ToInt64(
                    Commands.Get(SqliteSql.PromotedJobs, tx).Bind("@since", sinceMs).Bind("@now", nowMs).ExecuteScalar(),
                    System.Globalization.CultureInfo.InvariantCulture);
                var result = new MaintenanceResult(expired, promoted);
                effects.Ready = result.Any;
                return result;
            },
            effects,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A file: an exclusive OS lock on a side file next to it (<c>&lt;file&gt;-leader</c>), so that one scheduler leads among every
    /// process and store instance on the file; the lock goes with its holder's process. In memory: an in-process lock among
    /// this store's schedulers.
    /// </remarks>
    public ILeaderLock CreateLeaderLock() => _leaderFile is null ? new LocalLeaderLock(_leaders) : new SqliteFileLeaderLock(_leaderFile);
}
