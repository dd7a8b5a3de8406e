using System.Collections.Concurrent;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;
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

    private readonly ConcurrentQueue<IPendingWrite> _writeQueue = new();
    private readonly List<IPendingWrite> _writeBatch = new(MaxWritesPerTransaction);
    private int _writeLeader;
    private long _lastTransactionEnded;

    /// <summary>How long the writer must have been idle for a user call to write inline rather than hand off.</summary>
    private static readonly TimeSpan IdleBeforeInlineWrite = TimeSpan.FromMilliseconds(1);

    /// <summary>How a write is led and synced.</summary>
    [Flags]
    private enum GroupWrite
    {
        /// <summary>A durable write from a user call: the lead is handed to a pool thread.</summary>
        Durable = 0,

        /// <summary>Leases only (claims, renewals): no fsync of its own.</summary>
        LeasesOnly = 1,

        /// <summary>From one of the runtime's own loops, which waits for the write anyway: it writes the queue itself.</summary>
        LeadInline = 2,
    }

    /// <summary>
    /// Queues <paramref name="work"/> and returns once the transaction that ran it committed. When no one is writing, a
    /// <see cref="GroupWrite.LeadInline"/> caller writes the queue itself, on its own thread; any other caller hands the lead
    /// to a pool thread. User calls hand off on purpose: a caller that schedules many jobs in a loop would otherwise run each
    /// in a transaction of its own before it could queue the next (measured: 21,000 transactions for 20,000 schedules, against
    /// 1,500 with the hand-off, and a third of the CPU). Only a user call that finds the writer idle for
    /// <see cref="IdleBeforeInlineWrite"/> writes inline (a burst's first call; the rest hand off behind it). The runtime's
    /// loops (claims, step commits, lease renewals) wait for their write anyway, so they always lead inline. Each inline lead
    /// saves two thread hops, which cost 0.3–0.5 ms each on an idle two-core VM.
    /// <paramref name="effects"/> are published by the writer right after the commit, before the callers resume: a worker
    /// waiting for work hears of a new job one thread hop sooner.
    /// </summary>
    private async Task<T> GroupWriteAsync<T>(Func<SqliteTransaction, T> work, GroupWrite mode, StoreEffects? effects, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var write = new PendingWrite<T>(work, durable: (mode & GroupWrite.LeasesOnly) == 0, effects);
        using var registration = write.CancelWhen(cancellationToken);
        _writeQueue.Enqueue(write);
        if (Interlocked.CompareExchange(ref _writeLeader, 1, 0) == 0)
        {
            var inline = (mode & GroupWrite.LeadInline) != 0
                || TimeProvider.GetElapsedTime(Volatile.Read(ref _lastTransactionEnded)) >= IdleBeforeInlineWrite;
            if (inline && TryEnterWriteGate())
            {
                LeadWrites();
            }
            else
            {
                _ = Task.Run(LeadWritesAsync, CancellationToken.None);
            }
        }

        return await write.Task.ConfigureAwait(false);
    }

    /// <summary>Enters the write gate without waiting; false when it is taken or the store is closing.</summary>
    private bool TryEnterWriteGate()
    {
        try
        {
            return _writeGate.Wait(0, CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Leads from a pool thread: waits for the write gate, then writes.</summary>
    private async Task LeadWritesAsync()
    {
        try
        {
            // No cancellation here: the leader writes for every queued caller, who each keep their own token.
            await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The store is closing (gate disposed): every queued write gets the error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            while (_writeQueue.TryDequeue(out var write))
            {
                if (write.TryStart())
                {
                    write.Failed = ex;
                    write.Complete(Signals);
                }
            }

            HandOnLead();
            return;
        }

        LeadWrites();
    }

    /// <summary>
    /// With the write gate held: writes one transaction's worth of the queue and releases the gate; gives up the lead (handing
    /// it on if more was queued meanwhile); then publishes what committed and completes the callers. The lead is free before
    /// anyone hears of the commit, so a worker woken by it claims on its own thread instead of queueing behind this one.
    /// </summary>
    private void LeadWrites()
    {
        IPendingWrite[] written;
        try
        {
            WriteQueuedBatch();
        }
        finally
        {
            written = [.. _writeBatch];
            _writeBatch.Clear();
            Volatile.Write(ref _lastTransactionEnded, TimeProvider.GetTimestamp());
            ReleaseWriteGate();
        }

        HandOnLead();
        foreach (var write in written)
        {
            write.Complete(Signals);
        }
    }

    private void ReleaseWriteGate()
    {
        try
        {
            _writeGate.Release();
        }
        catch (ObjectDisposedException)
        {
            // Closed while this transaction ran: nothing waits for the gate any more.
        }
    }

    private void HandOnLead()
    {
        Volatile.Write(ref _writeLeader, 0);
        if (!_writeQueue.IsEmpty && Interlocked.CompareExchange(ref _writeLeader, 1, 0) == 0)
        {
            // Writes arrived while this one ran: the next transaction takes them, on a pool thread.
            _ = Task.Run(LeadWritesAsync, CancellationToken.None);
        }
    }

    /// <summary>
    /// Runs the queued writes (up to <see cref="MaxWritesPerTransaction"/>) in one transaction, each in a savepoint. A failure
    /// is recorded on the writes it concerns; the caller completes them.
    /// </summary>
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
        var relaxSync = _options.FullSync && !_inMemory && !batch.Exists(static w => w.Durable);
        try
        {
            if (relaxSync)
            {
                Commands.Get(RelaxSyncSql, null).ExecuteNonQuery();
            }

            using var tx = Commands.Connection.BeginTransaction(deferred: false);
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
#pragma warning disable CA1031 // The transaction failed as a whole (or the only write in it failed): each caller gets the error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var write in batch)
            {
                write.Failed = ex;
            }
        }
        finally
        {
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

    /// <summary>A queued write as the leader sees it, whatever it returns.</summary>
    private interface IPendingWrite
    {
        /// <summary>False for lease-only writes, which need no fsync of their own.</summary>
        bool Durable { get; }

        /// <summary>The write's own exception (rolled back to its savepoint), or its transaction's.</summary>
        Exception? Failed { get; set; }

        /// <summary>Takes the write for this transaction: false when its caller cancelled it first.</summary>
        bool TryStart();

        void Run(SqliteTransaction tx);

        /// <summary>After the transaction: publishes the write's effects if it committed, then completes its caller.</summary>
        void Complete(IJobSignals signals);
    }

    /// <summary>A queued write: queued, then started by a leader (or cancelled first), then completed after the commit.</summary>
    private sealed class PendingWrite<T>(Func<SqliteTransaction, T> work, bool durable, StoreEffects? effects) : QueuedOperation<T>, IPendingWrite
    {
        private T? _result;

        public bool Durable { get; } = durable;

        public Exception? Failed { get; set; }

        public void Run(SqliteTransaction tx) => _result = work(tx);

        public void Complete(IJobSignals signals)
        {
            if (Failed is { } error)
            {
                Fail(error);
                return;
            }

            effects?.Publish(signals);
            Succeed(_result!);
        }
    }
}
