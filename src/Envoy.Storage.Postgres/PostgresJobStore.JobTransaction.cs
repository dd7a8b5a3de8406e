using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <summary>
    /// The PostgreSQL side of <see cref="IJobTransaction"/>: each member is one statement of <see cref="PostgresSql"/> on the
    /// connection's transaction (an <see cref="NpgsqlTransaction"/>, or null for one begun by hand in a batch). Locks are row
    /// locks (<c>FOR UPDATE</c>) held until the transaction ends.
    /// </summary>
    private sealed class PostgresJobTransaction(NpgsqlConnection connection, NpgsqlTransaction? tx, StoreEffects effects) : IJobTransaction
    {
        public StoreEffects Effects => effects;

        public async ValueTask<LockedJob?> LockJobAsync(string jobId, CancellationToken cancellationToken)
        {
            using var command = connection.Command(PostgresSql.LockJob, tx, P(jobId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new LockedJob((JobStatus)reader.GetInt16(0), reader.GetNullableString(1), reader.GetNullableString(2))
                    : null;
            }
        }

        public async ValueTask<Escalation?> LockEscalationAsync(string escalationId, CancellationToken cancellationToken)
        {
            using var command = connection.Command(PostgresSql.LockEscalation, tx, P(escalationId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? StoreRows.ReadEscalation(reader) : null;
            }
        }

        /// <summary>
        /// Two statements, not one: under READ COMMITTED a statement that waited for the job's row lock re-reads only the
        /// locked row, other tables with the snapshot it started with; so a wait resolved by the transaction it waited on
        /// would still read pending (two concurrent resolutions of one wait would both succeed). Reading the wait after the
        /// lock is granted sees every resolution committed before.
        /// </summary>
        public async ValueTask<LockedWait?> LockJobWaitAsync(string jobId, string waitId, CancellationToken cancellationToken)
        {
            if (await LockJobAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
            {
                return null;
            }

            using var command = connection.Command(PostgresSql.WaitStatus, tx, P(jobId), P(waitId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var wait = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ? new WaitState((WaitResolutionKind)reader.GetInt16(0), reader.GetString(1)) { DueAtMs = reader.GetNullableInt64(2) }
                    : null;
                return new LockedWait(job.Status, wait);
            }
        }

        public async ValueTask WriteFinishedAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken) =>
            await ExecuteAsync(connection.Command(PostgresSql.FinishJob, tx, P((short)status), P(error), P(nowMs), P(jobId)), cancellationToken).ConfigureAwait(false);

        public async ValueTask WriteRevivedAsync(string jobId, JobStatus status, long nowMs, CancellationToken cancellationToken) =>
            await ExecuteAsync(connection.Command(PostgresSql.RetryJob, tx, P((short)status), P(nowMs), P(jobId)), cancellationToken).ConfigureAwait(false);

        public async ValueTask AppendEventAsync(JobEvent entry, CancellationToken cancellationToken) =>
            await ExecuteAsync(EventCommand(connection, tx, entry), cancellationToken).ConfigureAwait(false);

        public async ValueTask WriteEscalationReplyAsync(EscalationReply reply, CancellationToken cancellationToken) =>
            await ExecuteAsync(
                connection.Command(PostgresSql.AnswerEscalation, tx, P((short)reply.Status), P(reply.ResponseJson), P(reply.RepliedBy), P(reply.NowMs), P(reply.EscalationId)),
                cancellationToken).ConfigureAwait(false);

        public async ValueTask WriteWaitResolutionAsync(WaitResolution resolution, CancellationToken cancellationToken) =>
            await ExecuteAsync(
                connection.Command(PostgresSql.ResolveWait, tx, P((short)resolution.Kind), P(resolution.OutputJson), P(resolution.Error), P(resolution.NowMs), P(resolution.JobId), P(resolution.WaitId)),
                cancellationToken).ConfigureAwait(false);

        public async ValueTask<bool> UnblockAsync(string jobId, long nowMs, CancellationToken cancellationToken) =>
            await ExecuteAsync(connection.Command(PostgresSql.Unblock, tx, P(nowMs), P(jobId)), cancellationToken).ConfigureAwait(false) == 1;

        public async ValueTask<IReadOnlyList<CascadedJob>> CancelDescendantsAsync(string rootJobId, string error, long nowMs, CancellationToken cancellationToken)
        {
            var cancelled = new List<CascadedJob>();
            using var command = connection.Command(PostgresSql.CancelDescendants, tx, P(rootJobId), P(error), P(nowMs));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    cancelled.Add(new CascadedJob(reader.GetString(0), reader.GetString(1)));
                }
            }

            return cancelled;
        }

        public async ValueTask CancelEscalationsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken) =>
            await ExecuteAsync(connection.Command(PostgresSql.CancelEscalations, tx, P(jobIds.ToArray())), cancellationToken).ConfigureAwait(false);

        public async ValueTask ReviveEscalationsAsync(string jobId, CancellationToken cancellationToken) =>
            await ExecuteAsync(connection.Command(PostgresSql.ReviveEscalations, tx, P(jobId)), cancellationToken).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<ChildJob>> ChildrenOfPendingWaitsAsync(string jobId, CancellationToken cancellationToken)
        {
            var children = new List<ChildJob>();
            using var command = connection.Command(PostgresSql.ChildrenOfPendingWaits, tx, P(jobId));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    children.Add(new ChildJob(reader.GetString(0), (JobStatus)reader.GetInt16(1)));
                }
            }

            return children;
        }

        public async ValueTask<bool> HasPendingWaitAsync(string jobId, CancellationToken cancellationToken)
        {
            using var command = connection.Command(PostgresSql.HasPendingWait, tx, P(jobId));
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        private static async Task<int> ExecuteAsync(NpgsqlCommand command, CancellationToken cancellationToken)
        {
            await using (command.ConfigureAwait(false))
            {
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
