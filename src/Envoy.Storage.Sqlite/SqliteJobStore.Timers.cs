using Envoy.Runtime.StateMachine;
using Envoy.Runtime.Storage;

namespace Envoy.Storage.Sqlite;

/// <remarks>
/// Durable timers: a batch of due ones is resolved by the runtime's
/// <see cref="JobStateMachine.ResolveTimersAsync(IJobTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/> in one group
/// write, timer by timer over <see cref="SqliteJobTransaction"/> (its statements run in process).
/// </remarks>
public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public async Task<int> ResolveDueTimersAsync(long nowMs, int limit, CancellationToken cancellationToken = default) =>
        (await ResolveDueTimersAsync(nowMs, limit, null, cancellationToken).ConfigureAwait(false)).Taken;

    /// <inheritdoc />
    public Task<FiredTimers> ResolveDueTimersAsync(long nowMs, int limit, ClaimRequest? start, CancellationToken cancellationToken = default)
    {
        var effects = new StoreEffects();
        return WriteAsync(
            tx =>
            {
                var due = new List<DueTimer>();
                using (var reader = Commands.Get(SqliteSql.DueTimers, tx).Bind("@now", nowMs).Bind("@limit", limit).ExecuteReader())
                {
                    while (reader.Read())
                    {
                        due.Add(new DueTimer(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                var transaction = new SqliteJobTransaction(this, tx, effects);
                return SqliteJobTransaction.RunSynchronously(JobStateMachine.ResolveTimersAsync(transaction, due, nowMs, start, CancellationToken.None));
            },
            effects,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> NextTimerDueAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.NextTimerDue);
                var value = command.ExecuteScalar();
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);
}
