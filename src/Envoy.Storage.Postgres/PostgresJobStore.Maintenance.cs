using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>Status reads and counts (through the status cache when there is one), the maintenance pass and its leader lock.</summary>
public sealed partial class PostgresJobStore
{
    /// <summary>How long cached counts serve dashboards before one reader counts again.</summary>
    private static readonly TimeSpan CountsTimeToLive = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_cache is not null && await _cache.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached.Status;
        }

        var stored = await ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.JobStatus, null, P(id));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                        ? new CachedJobStatus(id, (JobStatus)reader.GetInt16(0), reader.GetInt64(1))
                        : (CachedJobStatus?)null;
                }
            },
            cancellationToken).ConfigureAwait(false);
        if (stored is { } found)
        {
            _cache?.Put([found]);
        }

        return stored?.Status;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default)
    {
        if (_cache is not null && await _cache.GetCountsAsync(cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return cached;
        }

        var counts = await ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.CountJobs, null);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var byStatus = StoreRows.ZeroCounts();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        byStatus[(JobStatus)reader.GetInt16(0)] = reader.GetInt64(1);
                    }

                    return byStatus;
                }
            },
            cancellationToken).ConfigureAwait(false);
        _cache?.PutCounts(counts, CountsTimeToLive);
        return counts;
    }

    /// <inheritdoc />
    public Task<MaintenanceResult> RunMaintenanceAsync(long sinceMs, long nowMs, int limit, CancellationToken cancellationToken = default) =>
        TransactAsync(
            async (connection, tx, effects) =>
            {
                var expired = new List<string>();
                using (var command = connection.Command(PostgresSql.ExpireLeases, tx, P(nowMs), P(limit), P((short)JobEventKind.LeaseExpired)))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            expired.Add(reader.GetString(0));
                            effects.StatusWritten(reader.GetString(0), JobStatus.Pending, reader.GetInt64(1));
                        }
                    }
                }

                long promoted;
                using (var command = connection.Command(PostgresSql.PromotedJobs, tx, P(sinceMs), P(nowMs)))
                {
                    promoted = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }

                var result = new MaintenanceResult(expired, promoted);
                effects.Ready = result.Any;
                return result;
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// A PostgreSQL advisory lock held by a connection kept open for it; with Redis, Redis's lock while Redis is reachable and
    /// the advisory lock while it is not.
    /// </remarks>
    public ILeaderLock CreateLeaderLock()
    {
        var advisory = new PostgresAdvisoryLock(_dataSource, PostgresSql.MaintenanceLockKey);
        return _accelerator is { } redis
            ? new FallbackLeaderLock(redis.CreateLeaderLock("maintenance:" + (StoreId ?? Description)), () => redis.IsAvailable, advisory)
            : advisory;
    }

    /// <summary>Writes what a committed transaction changed to the status cache (best effort, never waits).</summary>
    private void WriteThrough(StoreEffects effects)
    {
        if (_cache is null)
        {
            return;
        }

        if (effects.Statuses.Count > 0)
        {
            _cache.Put(effects.Statuses);
        }

        var unknown = effects.UnknownStatuses;
        if (unknown.Count > 0)
        {
            _cache.Forget(unknown);
        }
    }
}
