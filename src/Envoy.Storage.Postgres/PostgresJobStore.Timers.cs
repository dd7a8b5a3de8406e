using Envoy.Runtime.StateMachine;
using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <remarks>
/// Durable timers: a batch of due timers is fired set-based in one transaction of a few statements, whatever its size: their
/// jobs are locked (<see cref="PostgresSql.DueTimers"/>), the escalations behind escalation timers locked, the timers' state
/// read at once (<see cref="PostgresSql.TimerStates"/>), and the writes the runtime's
/// <see cref="JobStateMachine.ResolveTimersAsync(ITimerBatchTransaction, IReadOnlyList{DueTimer}, long, CancellationToken)"/>
/// planned sent as one <see cref="NpgsqlBatch"/> (one round trip). Jobs and escalations are locked with <c>SKIP LOCKED</c>:
/// the batch never waits for a lock, so it cannot deadlock with a reply or a cancel, and schedulers firing at once take
/// different timers.
/// </remarks>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public async Task<int> ResolveDueTimersAsync(long nowMs, int limit, CancellationToken cancellationToken = default) =>
        (await ResolveDueTimersAsync(nowMs, limit, null, cancellationToken).ConfigureAwait(false)).Taken;

    /// <inheritdoc />
    /// <remarks>
    /// The jobs started here are taken in one more round trip of the firing's transaction (<see cref="PostgresSql.StartTimerJobs"/>
    /// and their wait resolutions, in one batch), whatever their number.
    /// </remarks>
    public Task<FiredTimers> ResolveDueTimersAsync(long nowMs, int limit, ClaimRequest? start, CancellationToken cancellationToken = default) =>
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

                var transaction = new PostgresTimerBatch(connection, tx, effects);
                return await JobStateMachine.ResolveTimersAsync(transaction, due, nowMs, start, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);

    /// <inheritdoc />
    public Task<long?> NextTimerDueAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(
            async connection =>
            {
                // One batch, one implicit transaction: the setting holds for the query only.
                var batch = new NpgsqlBatch(connection);
                await using (batch.ConfigureAwait(false))
                {
                    batch.BatchCommands.Add(Batched(PostgresSql.NextTimerDueSettings));
                    batch.BatchCommands.Add(Batched(PostgresSql.NextTimerDue));
                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the setting's row
                        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetNullableInt64(0) : null;
                    }
                }
            },
            cancellationToken);

    /// <summary>The set-based <see cref="ITimerBatchTransaction"/> of PostgreSQL, on a transaction whose due timers' jobs are locked.</summary>
    private sealed class PostgresTimerBatch(NpgsqlConnection connection, NpgsqlTransaction tx, StoreEffects effects) : ITimerBatchTransaction
    {
        public StoreEffects Effects => effects;

        public async ValueTask<IReadOnlyList<LockedTimer>> LockTimersAsync(IReadOnlyList<DueTimer> due, CancellationToken cancellationToken)
        {
            // The jobs are locked already (DueTimers). A reply under way holds its escalation: its timer is left to the next
            // pass (by then resolved, or due still).
            var timers = due;
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

                timers = due.Where(t => t.Type != WaitTypes.Escalation || locked.Contains(t.WaitId)).ToList();
            }

            var states = new LockedTimer[timers.Count];
            using (var command = connection.Command(
                PostgresSql.TimerStates,
                tx,
                P(timers.Select(t => t.JobId).ToArray()),
                P(timers.Select(t => t.WaitId).ToArray())))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var index = (int)reader.GetInt64(0) - 1;
                        var timer = timers[index];
                        var wait = reader.GetNullableInt16(2) is { } waitStatus
                            ? new WaitState((WaitResolutionKind)waitStatus, reader.GetString(3)) { DueAtMs = reader.GetNullableInt64(4) }
                            : null;
                        var job = reader.GetNullableInt16(1) is { } jobStatus ? new LockedWait((JobStatus)jobStatus, wait) : null;
                        var escalation = timer.Type == WaitTypes.Escalation && reader.GetNullableInt16(5) is { } escalationStatus ? (EscalationStatus?)escalationStatus : null;
                        states[index] = new LockedTimer(timer, job, escalation);
                    }
                }
            }

            return states;
        }

        public async ValueTask<IReadOnlyList<UnblockedJob>> WriteTimerBatchAsync(TimerBatch batch, CancellationToken cancellationToken)
        {
            using var write = new NpgsqlBatch(connection, tx);
            if (batch.ExpiredEscalations.Count > 0)
            {
                var expired = batch.ExpiredEscalations;
                write.BatchCommands.Add(Batched(
                    PostgresSql.AnswerEscalations,
                    P(expired.Select(e => e.EscalationId).ToArray()),
                    P(expired.Select(e => (short)e.Status).ToArray()),
                    P(expired.Select(e => e.ResponseJson).ToArray()),
                    P(expired.Select(e => e.RepliedBy).ToArray()),
                    P(expired.Select(e => e.NowMs).ToArray())));
            }

            var resolutions = batch.Resolutions;
            write.BatchCommands.Add(Batched(
                PostgresSql.ResolveWaits,
                P(resolutions.Select(r => r.JobId).ToArray()),
                P(resolutions.Select(r => r.WaitId).ToArray()),
                P(resolutions.Select(r => (short)r.Kind).ToArray()),
                P(resolutions.Select(r => r.OutputJson).ToArray()),
                P(resolutions.Select(r => r.Error).ToArray()),
                P(resolutions.Select(r => r.NowMs).ToArray())));
            if (batch.Events.Count > 0)
            {
                var events = batch.Events;
                write.BatchCommands.Add(Batched(
                    PostgresSql.InsertEvents,
                    P(events.Select(e => e.JobId).ToArray()),
                    P(events.Select(e => e.At.ToUnixTimeMilliseconds()).ToArray()),
                    P(events.Select(e => (short)e.Kind).ToArray()),
                    P(events.Select(e => e.State).ToArray()),
                    P(events.Select(e => e.Step).ToArray()),
                    P(events.Select(e => e.From is { } from ? (short)from : (short?)null).ToArray()),
                    P(events.Select(e => e.To is { } to ? (short)to : (short?)null).ToArray()),
                    P(events.Select(e => e.Duration?.TotalMilliseconds).ToArray()),
                    P(events.Select(e => e.Error).ToArray())));
            }

            write.BatchCommands.Add(Batched(PostgresSql.UnblockMany, P(batch.NowMs), P(resolutions.Select(r => r.JobId).Distinct(StringComparer.Ordinal).ToArray())));
            var unblocked = new List<UnblockedJob>();
            var reader = await write.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                // Only the last statement returns rows.
                do
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        unblocked.Add(new UnblockedJob(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetNullableInt64(3) is { } limit ? (int)limit : null));
                    }
                }
                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }

            return unblocked;
        }

        public async ValueTask<IReadOnlyList<JobRecord>> StartJobsAsync(IReadOnlyList<string> jobIds, JobLease lease, long nowMs, CancellationToken cancellationToken)
        {
            var ids = jobIds.ToArray();
            var started = new List<JobRecord>(ids.Length);
            Dictionary<string, List<WaitRow>>? resolutions;
            using var batch = new NpgsqlBatch(connection, tx);
            batch.BatchCommands.Add(Batched(
                PostgresSql.StartTimerJobs,
                P(lease.Owner),
                P(lease.UntilMs),
                P(nowMs),
                P(ids),
                P((short)JobEventKind.Claimed),
                P((short)JobStatus.Pending),
                P((short)JobStatus.Running)));
            batch.BatchCommands.Add(Batched(PostgresSql.ResolutionsFor, P(ids)));
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    started.Add(StoreRows.ReadJob(reader));
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                resolutions = await ReadResolutionsAsync(reader, cancellationToken).ConfigureAwait(false);
            }

            return Attach(started, resolutions);
        }
    }
}
