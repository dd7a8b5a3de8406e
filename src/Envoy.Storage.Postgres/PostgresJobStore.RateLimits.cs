using Envoy.Runtime.Storage;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>
/// Rate limits (<see cref="IRateLimitStore"/>), shared by every process on the database (with Redis too: the limits live here).
/// An acquisition is one READ COMMITTED transaction: it locks the scope's row (created on first use), and only then reads the
/// scope's usage in a new statement, so callers of one scope run one after the other and each sees the grants before it.
/// </summary>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public IRateLimitStore RateLimits => this;

    /// <inheritdoc />
    public Task<RateLimitAcquisition> TryAcquireRateAsync(string scope, int permits, long windowMs, int weight, long nowMs, CancellationToken cancellationToken = default)
    {
        RateLimitAcquisition.ThrowIfInvalid(scope, permits, windowMs, weight);
        return TransactAsync(
            async (connection, tx, _) =>
            {
                using (var lockScope = connection.Command(PostgresSql.RateLockScope, tx, P(scope)))
                {
                    await lockScope.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var usage = new List<(long, int)>();
                using (var read = connection.Command(PostgresSql.RateUsage, tx, P(scope), P(nowMs), P(nowMs - windowMs)))
                {
                    var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            usage.Add((reader.GetInt64(0), reader.GetInt32(1)));
                        }
                    }
                }

                var decision = RateLimitAcquisition.Decide(usage, permits, windowMs, weight, nowMs);
                if (decision.Granted)
                {
                    using var record = connection.Command(PostgresSql.RateRecord, tx, P(scope), P(nowMs), P(nowMs + windowMs), P(weight));
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                return decision;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordRateUsageAsync(string scope, int weight, long windowMs, long nowMs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        return TransactAsync(
            async (connection, tx, _) =>
            {
                using var record = connection.Command(PostgresSql.RateRecord, tx, P(scope), P(nowMs), P(nowMs + windowMs), P(weight));
                return await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PauseRateScopeAsync(string scope, long untilMs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        return TransactAsync(
            async (connection, tx, _) =>
            {
                using var pause = connection.Command(PostgresSql.RatePause, tx, P(scope), P(untilMs));
                return (long)(await pause.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> RateScopePausedUntilAsync(string scope, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        return ReadAsync(
            async connection =>
            {
                using var read = connection.Command(PostgresSql.RatePausedUntil, null, P(scope));
                return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long until ? until : (long?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> PurgeRateLimitsAsync(long nowMs, CancellationToken cancellationToken = default) =>
        TransactAsync(
            async (connection, tx, _) =>
            {
                using var purge = connection.Command(PostgresSql.RatePurge, tx, P(nowMs));
                return (int)(long)(await purge.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            },
            cancellationToken);
}
