using System.Collections.Concurrent;
using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>
/// Grouped creates. Each <see cref="CreateJobAsync"/> is queued; up to <see cref="MaxCreateWriters"/> writers each take up to
/// <see cref="MaxCreatesPerTransaction"/> queued jobs into one transaction (the inserts in one round trip, then their history
/// and one notification), so that many concurrent schedules share a few commits instead of one commit and four round trips
/// each. The outcome for each caller is the same as one transaction each: its job is inserted whole (or, with an idempotency
/// key already used, the existing id comes back and nothing is inserted); if a shared transaction fails for a reason other
/// than a transient one, each of its jobs is tried again alone, so one bad job cannot fail the others.
/// </summary>
public sealed partial class PostgresJobStore
{
    private const int MaxCreatesPerTransaction = 256;
    private const int MaxCreateWriters = 2;

    private readonly ConcurrentQueue<QueuedCreate> _createQueue = new();
    private int _createWriters;

    /// <inheritdoc />
    public async Task<string> CreateJobAsync(NewJob job, CancellationToken cancellationToken = default) =>
        (await QueueCreateAsync(job, limitedStart: false, cancellationToken).ConfigureAwait(false)).Id;

    /// <inheritdoc />
    /// <remarks>
    /// Grouped with the other creates: the transaction first locks the scopes of its limited starts
    /// (<see cref="PostgresSql.LockLimitedScopes"/>, the advisory lock a claim of the scope takes), then each is inserted
    /// running or pending by its count in a later statement (<see cref="PostgresSql.InsertLimitedJobStarting"/>).
    /// </remarks>
    public Task<CreatedJob> CreateLimitedJobAsync(NewJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Lease is null || job.ConcurrencyLimit is null)
        {
            throw new ArgumentException("A limited eager start needs a lease and a concurrency limit.", nameof(job));
        }

        return QueueCreateAsync(job, limitedStart: true, cancellationToken);
    }

    private async Task<CreatedJob> QueueCreateAsync(NewJob job, bool limitedStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var create = new QueuedCreate(job, limitedStart);
        using var registration = create.CancelWhen(cancellationToken);
        _createQueue.Enqueue(create);
        StartCreateWriterIfNeeded();
        return await create.Task.ConfigureAwait(false);
    }

    private void StartCreateWriterIfNeeded()
    {
        while (!_createQueue.IsEmpty)
        {
            var writers = Volatile.Read(ref _createWriters);
            if (writers >= MaxCreateWriters)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _createWriters, writers + 1, writers) == writers)
            {
                // Runs on the caller's thread up to its first round trip, then on the pool.
                _ = WriteQueuedCreatesAsync();
                return;
            }
        }
    }

    private async Task WriteQueuedCreatesAsync()
    {
        var batch = new List<QueuedCreate>(MaxCreatesPerTransaction);
        try
        {
            while (true)
            {
                while (batch.Count < MaxCreatesPerTransaction && _createQueue.TryDequeue(out var queued))
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

                await CreateBatchAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _createWriters);
            // A create queued just as this writer found the queue empty must not wait for the next caller.
            StartCreateWriterIfNeeded();
        }
    }

    /// <summary>Creates <paramref name="batch"/> in one transaction and completes each caller; alone each, if it fails.</summary>
    private async Task CreateBatchAsync(List<QueuedCreate> batch)
    {
        IReadOnlyList<CreatedJob> ids;
        try
        {
            ids = await BatchAsync((connection, effects) => InsertAllAsync(connection, batch, effects), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Every caller gets the outcome of its own job: alone, or the error that stopped it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Only an error the server reported for a statement can belong to one job; anything else (unreachable past the
            // retry window, closing) is every job's outcome.
            if (batch.Count == 1 || ex is not PostgresException || IsRetryable(ex) || _disposed)
            {
                batch.ForEach(create => create.Fail(ex));
                return;
            }

            foreach (var create in batch)
            {
                await CreateBatchAsync([create]).ConfigureAwait(false);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Succeed(ids[i]);
        }
    }

    /// <summary>
    /// Inserts the jobs, their history entries (with the job in one statement when there is one) and the wake-up in one batch
    /// (one round trip, one implicit transaction). A job whose idempotency key is already used inserts nothing (its history
    /// entries are conditional on its row); its caller gets the existing job's id, read after the batch.
    /// </summary>
    private async Task<IReadOnlyList<CreatedJob>> InsertAllAsync(NpgsqlConnection connection, List<QueuedCreate> batch, StoreEffects effects)
    {
        var ids = new string[batch.Count];
        var started = new bool[batch.Count];
        var inserts = new NpgsqlBatch(connection);
        await using (inserts.ConfigureAwait(false))
        {
            var insertAt = new int[batch.Count];
            var ready = AddLimitedScopeLocks(inserts, batch);
            for (var i = 0; i < batch.Count; i++)
            {
                var job = batch[i].Job;
                insertAt[i] = inserts.BatchCommands.Count;
                if (batch[i].LimitedStart)
                {
                    inserts.BatchCommands.Add(Batched(
                        PostgresSql.InsertLimitedJobStarting,
                        [.. InsertJobParameters(job), .. ConcurrencyParameters(job), P((short)JobEventKind.Scheduled), P((short)JobEventKind.Claimed), P((short)JobStatus.Pending), P((short)JobStatus.Running)]));
                }
                else if (job.Events.Count == 1)
                {
                    // The usual case, one statement: the row count is the history entry's, written only with the job.
                    inserts.BatchCommands.Add(Batched(PostgresSql.InsertJobWithEvent, [.. InsertJobParameters(job), .. EventParameters(job.Events[0]).Skip(1), .. ConcurrencyParameters(job)]));
                }
                else
                {
                    inserts.BatchCommands.Add(Batched(PostgresSql.InsertJob, [.. InsertJobParameters(job), .. ConcurrencyParameters(job)]));
                    foreach (var entry in job.Events)
                    {
                        inserts.BatchCommands.Add(Batched(PostgresSql.InsertEventIfJobExists, EventParameters(entry)));
                    }
                }

                // An eagerly started job runs in the scheduler that created it: no other worker needs to hear of it.
                ready |= job.Lease is null;
            }

            if (ready)
            {
                inserts.BatchCommands.Add(Batched(PostgresSql.Notify, P(_signals.ReadyPayload)));
            }

            await inserts.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            List<string>? usedKeys = null;
            for (var i = 0; i < batch.Count; i++)
            {
                var job = batch[i].Job;
                var rows = inserts.BatchCommands[insertAt[i]].RecordsAffected;
                if (batch[i].LimitedStart && rows > 0)
                {
                    // 2: inserted running (its Scheduled and Claimed entries); 1: its key was full, inserted pending.
                    ids[i] = job.Id;
                    started[i] = rows == 2;
                    var stored = started[i] ? job : job with { Lease = null };
                    effects.StatusWritten(job.Id, stored.Status, stored.Version);
                    effects.Ready |= !started[i];
                }
                else if (!batch[i].LimitedStart && rows == 1)
                {
                    ids[i] = job.Id;
                    started[i] = job.Lease is not null;
                    effects.StatusWritten(job.Id, job.Status, job.Version);
                    effects.Ready |= job.Lease is null;
                }
                else
                {
                    (usedKeys ??= []).Add(job.IdempotencyKey!);
                }
            }

            if (usedKeys is not null)
            {
                await FillExistingIdsAsync(connection, batch, ids, usedKeys).ConfigureAwait(false);
            }
        }

        return [.. ids.Select((id, i) => new CreatedJob(id, started[i]))];
    }

    /// <summary>
    /// Adds <see cref="PostgresSql.LockLimitedScopes"/> for the batch's limited starts, first in the batch; true when there are
    /// any (each may be inserted pending: the batch then notifies the other workers).
    /// </summary>
    private static bool AddLimitedScopeLocks(NpgsqlBatch inserts, List<QueuedCreate> batch)
    {
        List<string>? flows = null;
        List<string>? keys = null;
        foreach (var create in batch)
        {
            if (create.LimitedStart)
            {
                (flows ??= []).Add(create.Job.Flow);
                (keys ??= []).Add(create.Job.ConcurrencyKey);
            }
        }

        if (flows is null)
        {
            return false;
        }

        inserts.BatchCommands.Add(Batched(PostgresSql.LockLimitedScopes, P(flows.ToArray()), P(keys!.ToArray())));
        return true;
    }

    /// <summary>For the jobs whose idempotency key was already used: the id of the job that holds it.</summary>
    private static async Task FillExistingIdsAsync(NpgsqlConnection connection, List<QueuedCreate> batch, string[] ids, List<string> usedKeys)
    {
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var lookup = connection.Command(PostgresSql.JobIdsByKeys, null, P(usedKeys.ToArray())))
        {
            var reader = await lookup.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    byKey[reader.GetString(0)] = reader.GetString(1);
                }
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            ids[i] ??= byKey[batch[i].Job.IdempotencyKey!];
        }
    }

    /// <summary>A queued create: queued, then taken by a writer (or cancelled first), then completed after the commit.</summary>
    private sealed class QueuedCreate(NewJob job, bool limitedStart) : QueuedOperation<CreatedJob>
    {
        public NewJob Job { get; } = job;

        /// <summary>An eager start of a limited job (<see cref="CreateLimitedJobAsync"/>): running only with a free slot.</summary>
        public bool LimitedStart { get; } = limitedStart;
    }
}
