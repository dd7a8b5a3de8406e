using System.Globalization;
using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <summary>
    /// The SQLite side of <see cref="IJobTransaction"/>: each member is one statement of <see cref="SqliteSql"/> on the group
    /// writer's transaction. SQLite has one writer and the transaction holds its lock, so reading a row is locking it.
    /// Every member completes synchronously (see <see cref="RunSynchronously{T}(ValueTask{T})"/>).
    /// </summary>
    private sealed class SqliteJobTransaction(SqliteJobStore store, SqliteTransaction tx, StoreEffects effects) : IJobTransaction
    {
        public StoreEffects Effects => effects;

        private SqliteCommands Commands => store.Commands;

        /// <summary>
        /// The result of a state machine rule run on this transaction. The group writer runs each write synchronously, on the
        /// leader's thread, inside the transaction it shares with the other queued writes (<see cref="GroupWriteAsync"/>), so
        /// the rule must be done when the write returns. It is: every member of this class completes synchronously
        /// (Microsoft.Data.Sqlite's I/O is synchronous, and nothing here awaits), and the rules await nothing else, so the
        /// <see cref="ValueTask{T}"/> they return is already complete and reading it does not block. An incomplete one would
        /// be a bug (something awaited for real): it throws instead of blocking the writer. A failure rethrows the original
        /// exception, as a direct call would (the commit path tells SQLite's data refusals apart by it).
        /// </summary>
        public static T RunSynchronously<T>(ValueTask<T> rule)
        {
            if (!rule.IsCompleted)
            {
                throw new InvalidOperationException("A job state machine rule did not complete synchronously on the SQLite transaction.");
            }

#pragma warning disable VSTHRD002 // Completed (checked above): no wait happens; see the summary.
            return rule.GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }

        /// <inheritdoc cref="RunSynchronously{T}(ValueTask{T})"/>
        public static void RunSynchronously(ValueTask rule)
        {
            if (!rule.IsCompleted)
            {
                throw new InvalidOperationException("A job state machine rule did not complete synchronously on the SQLite transaction.");
            }

#pragma warning disable VSTHRD002 // Completed (checked above): no wait happens; see RunSynchronously<T>.
            rule.GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }

        public ValueTask<LockedJob?> LockJobAsync(string jobId, CancellationToken cancellationToken)
        {
            using var reader = Commands.Get(SqliteSql.JobStatusAndParent, tx).Bind("@id", jobId).ExecuteReader();
            return new(reader.Read() ? new LockedJob((JobStatus)reader.GetInt32(0), reader.GetNullableString(1), reader.GetNullableString(2)) : null);
        }

        public ValueTask<Escalation?> LockEscalationAsync(string escalationId, CancellationToken cancellationToken)
        {
            using var reader = Commands.Get(SqliteSql.GetEscalation, tx).Bind("@id", escalationId).ExecuteReader();
            return new(reader.Read() ? StoreRows.ReadEscalation(reader) : null);
        }

        public ValueTask<LockedWait?> LockJobWaitAsync(string jobId, string waitId, CancellationToken cancellationToken)
        {
            using var reader = Commands.Get(SqliteSql.JobAndWaitStatus, tx).Bind("@job_id", jobId).Bind("@wait_id", waitId).ExecuteReader();
            if (!reader.Read())
            {
                return new((LockedWait?)null);
            }

            var wait = reader.GetNullableString(2) is { } type ? new WaitState((WaitResolutionKind)reader.GetInt32(1), type) { DueAtMs = reader.GetNullableInt64(3) } : null;
            return new(new LockedWait((JobStatus)reader.GetInt32(0), wait));
        }

        public ValueTask WriteFinishedAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.FinishJob, tx).Bind("@status", (int)status).Bind("@error", error).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteRevivedAsync(string jobId, JobStatus status, long nowMs, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.RetryJob, tx).Bind("@status", (int)status).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask AppendEventAsync(JobEvent entry, CancellationToken cancellationToken)
        {
            store.InsertEvent(entry, tx);
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteEscalationReplyAsync(EscalationReply reply, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.AnswerEscalation, tx)
                .Bind("@status", (int)reply.Status)
                .Bind("@response", reply.ResponseJson)
                .Bind("@replied_by", reply.RepliedBy)
                .Bind("@now", reply.NowMs)
                .Bind("@id", reply.EscalationId)
                .ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteWaitResolutionAsync(WaitResolution resolution, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.ResolveWait, tx)
                .Bind("@status", (int)resolution.Kind)
                .Bind("@output", resolution.OutputJson)
                .Bind("@error", resolution.Error)
                .Bind("@now", resolution.NowMs)
                .Bind("@job_id", resolution.JobId)
                .Bind("@wait_id", resolution.WaitId)
                .ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> UnblockAsync(string jobId, long nowMs, CancellationToken cancellationToken) =>
            new(Commands.Get(SqliteSql.Unblock, tx).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery() == 1);

        public ValueTask<UnblockedJob?> ReadUnblockedAsync(string jobId, CancellationToken cancellationToken)
        {
            using var reader = Commands.Get(SqliteSql.UnblockedJob, tx).Bind("@id", jobId).ExecuteReader();
            return new(reader.Read()
                ? new UnblockedJob(jobId, reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt32(2))
                : null);
        }

        public ValueTask<JobRecord?> StartJobAsync(string jobId, JobLease lease, long nowMs, CancellationToken cancellationToken)
        {
            var started = new List<JobRecord>(1);
            using (var reader = Commands.Get(SqliteSql.StartTimerJob, tx)
                .Bind("@owner", lease.Owner).Bind("@until", lease.UntilMs).Bind("@now", nowMs).Bind("@id", jobId).ExecuteReader())
            {
                if (reader.Read())
                {
                    started.Add(StoreRows.ReadJob(reader));
                }
            }

            if (started.Count == 0)
            {
                return new((JobRecord?)null);
            }

            store.InsertEvent(new JobEvent(jobId, FromMs(nowMs), JobEventKind.Claimed, From: JobStatus.Pending, To: JobStatus.Running), tx);
            return new(store.AttachResolutions(started, tx)[0]);
        }

        public ValueTask<IReadOnlyList<CascadedJob>> CancelDescendantsAsync(string rootJobId, string error, long nowMs, CancellationToken cancellationToken)
        {
            var cancelled = new List<CascadedJob>();
            using var reader = Commands.Get(SqliteSql.CancelDescendants, tx).Bind("@root", rootJobId).Bind("@error", error).Bind("@now", nowMs).ExecuteReader();
            while (reader.Read())
            {
                cancelled.Add(new CascadedJob(reader.GetString(0), reader.GetString(1)));
            }

            return new(cancelled);
        }

        public ValueTask CancelEscalationsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.CancelEscalations, tx).Bind("@ids", ToJsonArray(jobIds)).ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask ReviveEscalationsAsync(string jobId, CancellationToken cancellationToken)
        {
            Commands.Get(SqliteSql.ReviveEscalations, tx).Bind("@id", jobId).ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<ChildJob>> ChildrenOfPendingWaitsAsync(string jobId, CancellationToken cancellationToken)
        {
            var children = new List<ChildJob>();
            using var reader = Commands.Get(SqliteSql.ChildrenOfPendingWaits, tx).Bind("@id", jobId).ExecuteReader();
            while (reader.Read())
            {
                children.Add(new ChildJob(reader.GetString(0), (JobStatus)reader.GetInt32(1)));
            }

            return new(children);
        }

        public ValueTask<bool> HasPendingWaitAsync(string jobId, CancellationToken cancellationToken) =>
            new(Convert.ToInt64(Commands.Get(SqliteSql.HasPendingWait, tx).Bind("@id", jobId).ExecuteScalar(), CultureInfo.InvariantCulture) == 1);
    }
}
