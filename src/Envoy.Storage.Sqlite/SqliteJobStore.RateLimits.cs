using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// Rate limits (<see cref="IRateLimitStore"/>): each call is one write transaction, which SQLite runs one at a time over every
/// connection and process on the file, so the usage a call reads is the usage there is.
/// </summary>
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public IRateLimitStore RateLimits => this;

    /// <inheritdoc />
    public Task<RateLimitAcquisition> TryAcquireRateAsync(string scope, int permits, long windowMs, int weight, long nowMs, CancellationToken cancellationToken = default)
    {
        RateLimitAcquisition.ThrowIfInvalid(scope, permits, windowMs, weight);
        return WriteAsync(
            tx =>
            {
                Commands.Get(SqliteSql.RateExpire, tx).Bind("@scope", scope).Bind("@now", nowMs).ExecuteNonQuery();
                var usage = new List<(long, int)>();
                using (var reader = Commands.Get(SqliteSql.RateUsage, tx).Bind("@scope", scope).Bind("@since", nowMs - windowMs).ExecuteReader())
                {
                    while (reader.Read())
                    {
                        usage.Add((reader.GetInt64(0), reader.GetInt32(1)));
                    }
                }

                var decision = RateLimitAcquisition.Decide(usage, permits, windowMs, weight, nowMs);
                if (decision.Granted)
                {
                    Commands.Get(SqliteSql.RateRecord, tx).Bind("@scope", scope).Bind("@now", nowMs).Bind("@until", nowMs + windowMs).Bind("@weight", weight).ExecuteNonQuery();
                }

                return decision;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task RecordRateUsageAsync(string scope, int weight, long windowMs, long nowMs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowMs, 1);
        return WriteAsync(
            tx => Commands.Get(SqliteSql.RateRecord, tx).Bind("@scope", scope).Bind("@now", nowMs).Bind("@until", nowMs + windowMs).Bind("@weight", weight).ExecuteNonQuery(),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> PauseRateScopeAsync(string scope, long untilMs, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        return WriteAsync(
            tx => Convert.ToInt64(Commands.Get(SqliteSql.RatePause, tx).Bind("@scope", scope).Bind("@until", untilMs).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture),
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> RateScopePausedUntilAsync(string scope, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        return ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.RatePausedUntil).Bind("@scope", scope);
                return command.ExecuteScalar() is long until ? until : (long?)null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<int> PurgeRateLimitsAsync(long nowMs, CancellationToken cancellationToken = default) =>
        WriteAsync(
            tx => Commands.Get(SqliteSql.RatePurgeUsage, tx).Bind("@now", nowMs).ExecuteNonQuery()
                + Commands.Get(SqliteSql.RatePurgeScopes, tx).Bind("@now", nowMs).ExecuteNonQuery(),
            null,
            cancellationToken);
}
