using Envoy.Runtime.StateMachine;
using Envoy.Runtime.Storage;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <remarks>
/// Durable timers: the due ones are resolved by the runtime's <see cref="JobStateMachine.ResolveTimerAsync"/>, a batch in one
/// transaction. Their jobs (and escalations) are locked with <c>SKIP LOCKED</c>: the batch never waits for a lock, so it cannot
/// deadlock with a reply or a cancel, and schedulers firing at once take different timers.
/// </remarks>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task<int> ResolveDueTimersAsync(long nowMs, int limit, CancellationToken cancellationToken = default) =>
        TransactAsync(
            async (connection, tx, effects) =>
            {
                var due = new List<DueTimer>();
                using (var command = connection.Command(PostgresSql.DueTimers, tx, P(nowMs), P(limit)))
                {
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            due.Add(new DueTimer(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                        }
                    }
                }

                var escalations = due.Where(t => t.Type == WaitTypes.Escalation).Select(t => t.WaitId).ToArray();
                if (escalations.Length > 0)
                {
                    var locked = new HashSet<string>(StringComparer.Ordinal);
                    using (var command = connection.Command(PostgresSql.LockDueEscalations, tx, P(escalations)))
                    {
                        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                            {
                                locked.Add(reader.GetString(0));
                            }
                        }
                    }

                    // A reply under way holds its escalation: its timer is left to the next pass (by then resolved, or due still).
                    due.RemoveAll(t => t.Type == WaitTypes.Escalation && !locked.Contains(t.WaitId));
                }

                var transaction = new PostgresJobTransaction(connection, tx, effects);
                foreach (var timer in due)
                {
                    await JobStateMachine.ResolveTimerAsync(transaction, timer, nowMs, cancellationToken).ConfigureAwait(false);
                }

                return due.Count;
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextTimerDueAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.NextTimerDue, null);
                var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return value is null or DBNull ? (long?)null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);
}
