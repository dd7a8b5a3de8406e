using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>
/// Status reads and counts (always from PostgreSQL: a status cache in front of them is the runtime's
/// <see cref="StatusCachedJobStore"/>, fed through <see cref="IJobStatusSource"/>), the maintenance pass and its leader lock.
/// </summary>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public async Task<JobStatus?> GetJobStatusAsync(string id, CancellationToken cancellationToken = default) =>
        (await ReadJobStatusAsync(id, cancellationToken).ConfigureAwait(false))?.Status;

    /// <inheritdoc />
    public Task<CachedJobStatus?> ReadJobStatusAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ReadAsync(
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
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<JobStatus, long>> CountJobsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyDictionary<JobStatus, long>>(
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
            cancellationToken);

    /// <inheritdoc />
    public void AttachStatusObserver(IJobStatusObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (Interlocked.CompareExchange(ref _statusObserver, observer, null) is not null)
        {
            throw new InvalidOperationException($"The store {Description} already reports its statuses to an observer.");
        }

        // Attached to a store already initialized: it learns the identity now (else InitializeAsync tells it).
        if (StoreId is { } storeId)
        {
            observer.StoreIdentified(storeId);
        }
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

    /// <summary>Tells the status observer what a committed transaction wrote (best effort, never waits).</summary>
    private void ReportStatuses(StoreEffects effects)
    {
        if (Volatile.Read(ref _statusObserver) is not { } observer)
        {
            return;
        }

        var unknown = effects.UnknownStatuses;
        if (effects.Statuses.Count > 0 || unknown.Count > 0)
        {
            observer.StatusesWritten(effects.Statuses, unknown);
        }
    }
}
