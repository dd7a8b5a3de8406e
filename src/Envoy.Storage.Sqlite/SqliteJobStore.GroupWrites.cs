using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

/// <summary>
/// Group commit for every write of the store. SQLite has one writer and, with <c>synchronous=FULL</c>, each commit costs an
/// fsync; so writes that arrive together (schedules, claims, step commits, resolutions) share one transaction. Each write
/// still runs alone inside its own savepoint, in arrival order, and its caller hears about it only once the shared
/// transaction committed: the same all-or-nothing, serial outcome as one transaction each, for one fsync.
/// <para>
/// Claims and lease renewals write leases only, which are soft state: under <c>synchronous=FULL</c> a transaction that holds
/// nothing else commits without waiting for the disk (<c>synchronous=NORMAL</c> for that transaction). It is still atomic and
/// visible at once; the WAL is written in order, so the fsync of any later durable commit (a step, a schedule) covers it too.
/// Only a power failure can lose it, and then the job is simply claimable again (handlers run at least once; a step's commit
/// can never be durable without the claim before it). This saves one fsync on the way from schedule to start.
/// </para>
/// </summary>
public sealed partial class SqliteJobStore
{
    /// <summary>The most writes that share one transaction.</summary>
    private const int MaxWritesPerTransaction = 512;

    private const string SavepointSql = "SAVEPOINT envoy_write";
    private const string ReleaseSql = "RELEASE envoy_write";
    private const string RollbackToSql = "ROLLBACK TO envoy_write";
    private const string RelaxSyncSql = "PRAGMA synchronous = NORMAL";
    private const string FullSyncSql = "PRAGMA synchronous = FULL";

    private readonly ConcurrentQueue<PendingWrite> _writeQueue = new();
    private readonly List<PendingWrite> _writeBatch = new(MaxWritesPerTransaction);
    private int _writeLeader;

    /// <summary>
    /// Queues <paramref name="work"/>; the first writer that finds no one writing hands the lead to a pool thread, which runs
    /// everything queued by then in one transaction. The caller does not write inline, on purpose: a caller that schedules
    /// many jobs in a loop would otherwise run each in a transaction of its own before it could queue the next
    /// (measured: 21,000 transactions for 20,000 schedules, against 1,500 with the hand-off, and a third of the CPU).
    /// </summary>
    private Task<T> GroupWriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        GroupWriteAsync(work, durable: true, cancellationToken);

    /// <summary>A write of leases only (claims, renewals): grouped like the others, but it needs no fsync of its own.</summary>
    private async Task<T> WriteLeasesAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await GroupWriteAsync(work, durable: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GroupWriteAsync<T>(Func<SqliteTransaction, T> work, bool durable, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(work, durable);
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((PendingWrite)state!).TryCancel(token), write)
            : default;
        _writeQueue.Enqueue(write);
        if (Interlocked.CompareExchange(ref _writeLeader, 1, 0) == 0)
        {
            _ = Task.Run(LeadWritesAsync, CancellationToken.None);
        }

        return await write.Task.ConfigureAwait(false);
    }

    /// <summary>Writes one transaction's worth of the queue, then hands the lead on if more is queued.</summary>
    private async Task LeadWritesAsync()
    {
        try
        {
            // No cancellation here: the leader writes for every queued caller, who each keep their own token.
            await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                WriteQueuedBatch();
            }
            finally
            {
                _writeGate.Release();
            }
        }
#pragma warning disable CA1031 // The store is closing (gate or connection disposed): every queued write gets the error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var write in _writeBatch)
            {
                write.Complete(ex);
            }

            _writeBatch.Clear();
            while (_writeQueue.TryDequeue(out var write))
            {
                if (write.TryStart())
                {
                    write.Complete(ex);
                }
            }
        }

        Volatile.Write(ref _writeLeader, 0);
        if (!_writeQueue.IsEmpty && Interlocked.CompareExchange(ref _writeLeader, 1, 0) == 0)
        {
            // Writes arrived while this one ran: the next transaction takes them.
            _ = Task.Run(LeadWritesAsync, CancellationToken.None);
        }
    }

    /// <summary>Runs the queued writes (up to <see cref="MaxWritesPerTransaction"/>) in one transaction, each in a savepoint.</summary>
    private void WriteQueuedBatch()
    {
        var batch = _writeBatch;
        while (batch.Count < MaxWritesPerTransaction && _writeQueue.TryDequeue(out var queued))
        {
            if (queued.TryStart())
            {
                batch.Add(queued);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var single = batch.Count == 1;
        var relaxSync = _options.Synchronous == SqliteSynchronous.Full && !_inMemory && !batch.Exists(static w => w.Durable);
        try
        {
            if (relaxSync)
            {
                Commands.Get(RelaxSyncSql, null).ExecuteNonQuery();
            }

            using (var tx = Commands.Connection.BeginTransaction(deferred: false))
            {
                foreach (var write in batch)
                {
                    if (single)
                    {
                        // Alone in its transaction: an exception rolls the whole transaction back.
                        write.Run(tx);
                        continue;
                    }

                    Commands.Get(SavepointSql, tx).ExecuteNonQuery();
                    try
                    {
                        write.Run(tx);
                        Commands.Get(ReleaseSql, tx).ExecuteNonQuery();
                    }
#pragma warning disable CA1031 // The write's own failure goes to its caller; the others in the transaction go on.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        write.Failed = ex;
                        Commands.Get(RollbackToSql, tx).ExecuteNonQuery();
                        Commands.Get(ReleaseSql, tx).ExecuteNonQuery();
                    }
                }

                tx.Commit();
            }

            foreach (var write in batch)
            {
                write.Complete(null);
            }
        }
#pragma warning disable CA1031 // The transaction failed as a whole (or the only write in it failed): each caller gets the error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var write in batch)
            {
                write.Complete(ex);
            }
        }
        finally
        {
            batch.Clear();
            if (relaxSync)
            {
                RestoreFullSync();
            }
        }
    }

    private void RestoreFullSync()
    {
        try
        {
            Commands.Get(FullSyncSql, null).ExecuteNonQuery();
        }
#pragma warning disable CA1031 // Only a closed connection fails here; the next write reports that itself.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Nothing to restore on a connection that is gone.
        }
    }

    /// <summary>A queued write: queued, then started by a leader (or cancelled first), then completed after the commit.</summary>
    private abstract class PendingWrite(bool durable)
    {
        private const int Queued = 0;
        private const int Started = 1;
        private const int Cancelled = 2;
        private int _state;

        /// <summary>False for lease-only writes, which need no fsync of their own.</summary>
        public bool Durable { get; } = durable;

        /// <summary>The write's own exception, rolled back to its savepoint.</summary>
        public Exception? Failed { get; set; }

        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        public void TryCancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
            {
                SetCanceled(token);
            }
        }

        public abstract void Run(SqliteTransaction tx);

        /// <summary>After the transaction: the result, the write's own failure, or <paramref name="transactionError"/>.</summary>
        public abstract void Complete(Exception? transactionError);

        protected abstract void SetCanceled(CancellationToken token);
    }

    private sealed class PendingWrite<T>(Func<SqliteTransaction, T> work, bool durable) : PendingWrite(durable)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteTransaction tx) => _result = work(tx);

        public override void Complete(Exception? transactionError)
        {
            if ((Failed ?? transactionError) is { } error)
            {
                _done.TrySetException(error);
            }
            else
            {
                _done.TrySetResult(_result!);
            }
        }

        protected override void SetCanceled(CancellationToken token) => _done.TrySetCanceled(token);
    }
}
