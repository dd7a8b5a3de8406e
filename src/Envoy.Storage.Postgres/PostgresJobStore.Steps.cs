using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One batch, one round trip, one implicit transaction: the settings, <see cref="PostgresSql.Claim"/> (which takes the jobs
    /// and writes their history) and <see cref="PostgresSql.ResolutionsOfClaim"/> (their wait resolutions), committed with the
    /// batch: a failure anywhere leaves no claim behind. The transaction writes leases only, which are soft state, so it commits
    /// with <c>synchronous_commit = off</c>: atomic and visible at once, without waiting for the WAL flush. WAL is flushed in
    /// order, so the durable commit of the job's first step makes the claim durable too; only a server crash can lose a claim
    /// that no step committed after, and then the job is simply claimable again (handlers run at least once).
    /// <para>
    /// Limited jobs are read in claim order in a window as large as the claim (<see cref="PostgresSql.LockLimitedKeys"/>). A
    /// round that parked jobs of full keys (<see cref="PostgresSql.ClaimLimited"/>) and took fewer jobs than asked goes on past
    /// them in another round with a window twice as large (up to <see cref="MaxLimitedWindow"/>), at most
    /// <see cref="MaxParkingRounds"/> rounds: each job is parked once, so a key flooding the queue at its limit holds the jobs
    /// behind it back for a few rounds of one claim, not until the next wake-up.
    /// </para>
    /// </remarks>
    public async Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var window = request.Max;
        var (claimed, parked) = await ClaimRoundAsync(request, window, cancellationToken).ConfigureAwait(false);
        for (var round = 1; parked > 0 && claimed.Count < request.Max && round < MaxParkingRounds; round++)
        {
            window = Math.Min(window * 2, MaxLimitedWindow);
            var (more, parkedNow) = await ClaimRoundAsync(request with { Max = request.Max - claimed.Count }, window, cancellationToken).ConfigureAwait(false);
            claimed.AddRange(more);
            parked = parkedNow;
        }

        return claimed;
    }

    /// <summary>How many claim rounds one <see cref="ClaimAsync"/> runs at most while each parks jobs of full keys.</summary>
    private const int MaxParkingRounds = 12;

    /// <summary>The most limited jobs one claim round reads in claim order.</summary>
    private const int MaxLimitedWindow = 4096;

    /// <summary>
    /// One claim round in one batch: the jobs taken, and how many limited jobs it parked; it reads the next
    /// <paramref name="window"/> limited jobs in claim order.
    /// </summary>
    private Task<(List<JobRecord> Jobs, long Parked)> ClaimRoundAsync(ClaimRequest request, int window, CancellationToken cancellationToken)
    {
        var flows = request.Flows.ToArray();
        var flowVersions = request.FlowVersions?.ToArray();
        // One batch, one round trip: the settings and the claim run as one implicit transaction, committed with the batch.
        return BatchAsync<(List<JobRecord>, long)>(
            async (connection, effects) =>
            {
                var claimed = new List<JobRecord>();
                var parked = 0L;
                Dictionary<string, List<WaitRow>>? resolutions;
                var batch = new NpgsqlBatch(connection);
                await using (batch.ConfigureAwait(false))
                {
                    // Limited jobs first (bounded by their slots, they cannot crowd out the others), then the unlimited claim. Before
                    // the claim's settings: their plans need a sort (of a few scopes), which enable_sort = off would price so high
                    // that the server compiles them with JIT (measured: 1.5 s a claim).
                    batch.BatchCommands.Add(Batched(PostgresSql.LockLimitedKeys, P(request.NowMs), P(flows), P(request.Max), P(flowVersions), P(window)));
                    batch.BatchCommands.Add(Batched(
                        PostgresSql.ClaimLimited,
                        P(request.Owner),
                        P(request.LeaseUntilMs),
                        P(request.NowMs),
                        P(request.Max),
                        P((short)JobEventKind.Claimed),
                        P((short)JobStatus.Running),
                        P((short)JobStatus.Pending),
                        P(flowVersions),
                        P(flows),
                        P(window)));

                    batch.BatchCommands.Add(Batched(PostgresSql.ClaimSettings));
                    batch.BatchCommands.Add(Batched(
                        PostgresSql.Claim,
                        P(request.Owner),
                        P(request.LeaseUntilMs),
                        P(request.NowMs),
                        P(flows),
                        P(request.Max),
                        P((short)JobEventKind.Claimed),
                        P((short)JobStatus.Running),
                        P((short)JobStatus.Pending),
                        P(flowVersions)));
                    batch.BatchCommands.Add(Batched(PostgresSql.ResolutionsOfClaim, P(request.Owner), P(request.LeaseUntilMs)));
                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the limited scopes' row
                        var parkedColumn = reader.GetOrdinal("parked_n");
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            parked = reader.GetInt64(parkedColumn);
                            if (!await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false))
                            {
                                Add(StoreRows.ReadJob(reader));
                            }
                        }

                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false); // past the settings' row
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            Add(StoreRows.ReadJob(reader));
                        }

                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        resolutions = await ReadResolutionsAsync(reader, cancellationToken).ConfigureAwait(false);
                    }
                }

                return (Attach(claimed, resolutions), parked);

                void Add(JobRecord job)
                {
                    claimed.Add(job);
                    effects.StatusWritten(job.Id, job.Status, job.Version);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Jobs are updated in byte order of their ids, the order in which <see cref="RenewLeasesAsync"/> locks them. A batch whose
    /// commits each write only the job row and one history entry, and finish no job that has (by
    /// <see cref="StepCommit.ParentId"/>) a parent, takes one round trip; a finishing job that turns out to have a parent is
    /// then committed again the long way, in a second transaction.
    /// </remarks>
    public async Task<IReadOnlyList<CommitResult>> CommitStepsAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        return await CommitIsolatingAsync(commits, oneRoundTrip: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default) =>
        CommitRefusedException.ThrowIfAnyRefused(commits, await CommitStepsAsync(commits, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Commits the batch in one transaction; when PostgreSQL refuses the data of one of them (<see cref="IsDataRefusal"/>: a
    /// string <c>jsonb</c> cannot hold, a broken constraint), the transaction is rolled back whole, and each commit is written
    /// again alone: the refused one gets the server's reason, the others are applied. This is the rare path: the runtime
    /// refuses the values it knows no store accepts before they reach a batch.
    /// </summary>
    private async Task<CommitResult[]> CommitIsolatingAsync(IReadOnlyList<StepCommit> commits, bool oneRoundTrip, CancellationToken cancellationToken)
    {
        try
        {
            return await CommitGroupAsync(commits, oneRoundTrip, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (IsDataRefusal(ex))
        {
            if (commits.Count == 1)
            {
                return [CommitResult.Refused(RefusalReason(ex))];
            }

            var results = new CommitResult[commits.Count];
            for (var i = 0; i < commits.Count; i++)
            {
                results[i] = (await CommitIsolatingAsync([commits[i]], oneRoundTrip, cancellationToken).ConfigureAwait(false))[0];
            }

            return results;
        }
    }

    /// <summary>
    /// The batch in one transaction; after one round trip (<paramref name="oneRoundTrip"/>, see <see cref="OutcomeOfOneRoundTrip"/>)
    /// the commits to write again the long way follow in a second.
    /// </summary>
    private async Task<CommitResult[]> CommitGroupAsync(IReadOnlyList<StepCommit> commits, bool oneRoundTrip, CancellationToken cancellationToken)
    {
        var first = await CommitBatchAsync(commits, oneRoundTrip, cancellationToken).ConfigureAwait(false);
        var results = new CommitResult[commits.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = first.Applied[i] ? CommitResult.Ok with { Cascaded = first.Cascaded[i] } : CommitResult.Stale;
        }

        if (first.Again.Count == 0)
        {
            return results;
        }

        // The first transaction committed: only the commits written again may be isolated now.
        var again = first.Again.ConvertAll(i => commits[i]);
        var second = await CommitIsolatingAsync(again, oneRoundTrip: false, cancellationToken).ConfigureAwait(false);
        for (var k = 0; k < again.Count; k++)
        {
            results[first.Again[k]] = second[k];
        }

        return results;
    }

    /// <summary>
    /// True when PostgreSQL refused the data written (a data exception, class 22; an integrity constraint, class 23; a limit,
    /// class 54: a value too large), not the connection or the server: writing the same data again would fail the same way.
    /// </summary>
    private static bool IsDataRefusal(PostgresException ex) =>
        ex.SqlState.StartsWith("22", StringComparison.Ordinal) || ex.SqlState.StartsWith("23", StringComparison.Ordinal) || ex.SqlState.StartsWith("54", StringComparison.Ordinal);

    private static string RefusalReason(PostgresException ex) =>
        $"PostgreSQL refused it ({ex.SqlState}): {ex.MessageText}{(string.IsNullOrEmpty(ex.Detail) ? string.Empty : " " + ex.Detail)}";

    private Task<CommitOutcome> CommitBatchAsync(IReadOnlyList<StepCommit> commits, bool oneRoundTrip, CancellationToken cancellationToken) =>
        BatchAsync(
            async (connection, effects) =>
            {
                try
                {
                    return await CommitInTransactionAsync(connection, commits, oneRoundTrip, effects, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (IsDataRefusal(ex))
                {
                    await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                    // Npgsql's record of the statements it prepared on this connection can be off after an error in the middle
                    // of an auto-prepared batch (measured: the next batch on it failed with "unexpected backend message
                    // DataRow"): the connections open now are closed when given back, and new ones opened. A rare path.
                    _dataSource.Clear();
                    throw;
                }
                catch
                {
                    await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                    throw;
                }
            },
            cancellationToken);

    /// <summary>
    /// The commits' transaction, in as few round trips as the work allows. <c>BEGIN</c> travels with the updates; a commit that
    /// writes nothing but its job row and one history entry is one statement (<see cref="PostgresSql.CommitJobWithEvent"/>).
    /// When every commit is of that kind and none finishes a job with a parent or descendants to handle, the NOTIFY and
    /// <c>COMMIT</c> travel with them too (<paramref name="oneRoundTrip"/>). Otherwise the other writes of the applied commits,
    /// the NOTIFY and <c>COMMIT</c> follow in a second round trip, unless a finished job has a parent to resolve or descendants
    /// to cancel, which need round trips of their own first. (An <see cref="NpgsqlTransaction"/> would send <c>COMMIT</c> alone.)
    /// </summary>
    private async Task<CommitOutcome> CommitInTransactionAsync(NpgsqlConnection connection, IReadOnlyList<StepCommit> commits, bool oneRoundTrip, StoreEffects effects, CancellationToken cancellationToken)
    {
        var applied = new bool[commits.Count];
        var parents = new (string? ParentId, string? ParentWaitId)[commits.Count];
        var fused = new bool[commits.Count];
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i];
            fused[i] = WritesOnlyRowAndEvent(commit);
            oneRoundTrip &= fused[i] && (!commit.Status.IsTerminal() || !JobEnd.HasEffects(commit.Status, commit.ParentId));
        }

        var order = CommitLockOrder(commits);
        var updates = new NpgsqlBatch(connection);
        await using (updates.ConfigureAwait(false))
        {
            updates.BatchCommands.Add(Batched("BEGIN"));
            foreach (var i in order)
            {
                // In one round trip the COMMIT is sent before a parent could be resolved: there, a finishing job must have none.
                updates.BatchCommands.Add(fused[i]
                    ? FusedCommitBatchCommand(commits[i], mayHaveParent: !(oneRoundTrip && commits[i].Status.IsTerminal()))
                    : CommitBatchCommand(commits[i]));
            }

            if (oneRoundTrip)
            {
                AddNotifyIfWrittenAndCommit(updates, commits);
            }

            var reader = await updates.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                foreach (var i in order)
                {
                    if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        applied[i] = true;
                        parents[i] = (reader.GetNullableString(0), reader.GetNullableString(1));
                    }

                    await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (oneRoundTrip)
        {
            return OutcomeOfOneRoundTrip(commits, applied, effects);
        }

        var finishing = new List<int>();
        for (var i = 0; i < commits.Count; i++)
        {
            if (applied[i] && commits[i].Status.IsTerminal())
            {
                finishing.Add(i);
                effects.AddFinished(commits[i].JobId);
            }
        }

        // Done jobs without a parent (the common case) have nothing more to do: everything goes in the writes' round trip.
        var followUps = finishing.Exists(i => JobEnd.HasEffects(commits[i].Status, parents[i].ParentId));
        var writes = new NpgsqlBatch(connection);
        await using (writes.ConfigureAwait(false))
        {
            for (var i = 0; i < commits.Count; i++)
            {
                if (applied[i])
                {
                    RecordApplied(commits[i], effects);
                    if (!fused[i])
                    {
                        AddCommitWrites(writes, commits[i], effects);
                    }
                }
            }

            if (!followUps)
            {
                AddNotifyAndCommit(writes, effects);
            }

            if (writes.BatchCommands.Count > 0)
            {
                await writes.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var outcome = new CommitOutcome(applied, []);
        if (followUps)
        {
            // Parents are locked in byte order of their ids, so two batches finishing children of the same parents cannot
            // deadlock (measured: fanout runs, with two batches in flight, did).
            finishing.Sort((a, b) => string.CompareOrdinal(parents[a].ParentId, parents[b].ParentId));
            var transaction = new PostgresJobTransaction(connection, null, effects);
            foreach (var i in finishing)
            {
                var mark = effects.CascadedCount;
                var ended = JobEnd.OfCommit(commits[i], parents[i].ParentId, parents[i].ParentWaitId);
                await JobStateMachine.JobEndedAsync(transaction, ended, cancellationToken).ConfigureAwait(false);
                outcome.Cascaded[i] = effects.CascadedSince(mark);
            }

            var end = new NpgsqlBatch(connection);
            await using (end.ConfigureAwait(false))
            {
                AddNotifyAndCommit(end, effects);
                await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return outcome;
    }

    /// <summary>
    /// The effects of a one-round-trip batch, already committed. A finishing commit that did not apply was refused, or its job
    /// has a parent after all (the hint was missing): it goes again the long way, which tells the two apart.
    /// </summary>
    private static CommitOutcome OutcomeOfOneRoundTrip(IReadOnlyList<StepCommit> commits, bool[] applied, StoreEffects effects)
    {
        var again = new List<int>();
        for (var i = 0; i < commits.Count; i++)
        {
            var commit = commits[i];
            if (applied[i])
            {
                RecordApplied(commit, effects);
                if (commit.Status.IsTerminal())
                {
                    effects.AddFinished(commit.JobId);
                }
            }
            else if (commit.Status.IsTerminal())
            {
                again.Add(i);
            }
        }

        return new CommitOutcome(applied, again);
    }

    /// <summary>True when the commit's only writes are its job row and one history entry.</summary>
    private static bool WritesOnlyRowAndEvent(StepCommit commit) =>
        commit.Events.Count == 1 && commit.Children.Count == 0 && commit.Waits.Count == 0 && commit.Escalations.Count == 0 && !commit.ConsumedWaits;

    /// <summary>The indexes of <paramref name="commits"/> in byte order of their job ids (the order renewals lock rows in).</summary>
    private static int[] CommitLockOrder(IReadOnlyList<StepCommit> commits)
    {
        var order = new int[commits.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => string.CompareOrdinal(commits[a].JobId, commits[b].JobId));
        return order;
    }

    /// <summary>
    /// What an applied commit tells the status cache and the idle workers. Only a commit that changes the status is written to
    /// the cache: a committed job was running (its worker holds the lease), so a step that keeps it running leaves the cached
    /// status right, and a later write (with its higher version) still replaces it. That is two of a three-step job's five
    /// writes to Redis.
    /// </summary>
    private static void RecordApplied(StepCommit commit, StoreEffects effects)
    {
        if (commit.Status != JobStatus.Running)
        {
            effects.StatusWritten(commit.JobId, commit.Status, commit.ExpectedVersion + 1);
        }

        if (commit.Status == JobStatus.Pending)
        {
            effects.Ready = true;
        }
    }

    /// <summary>
    /// Ends a one-round-trip batch: a wake-up if a job goes back to pending (harmless if its commit was refused), the finished
    /// jobs named only if this transaction wrote their rows, then <c>COMMIT</c>.
    /// </summary>
    private void AddNotifyIfWrittenAndCommit(NpgsqlBatch batch, IReadOnlyList<StepCommit> commits)
    {
        if (commits.Any(c => c.Status == JobStatus.Pending))
        {
            batch.BatchCommands.Add(Batched(PostgresSql.Notify, P(_signals.ReadyPayload)));
        }

        var planned = false;
        foreach (var chunk in FinishedChunks(commits.Where(c => c.Status.IsTerminal()).Select(c => c.JobId)))
        {
            if (!planned)
            {
                // Left to choose, PostgreSQL plans this statement anew on every run (its generic plan looks dearer than a
                // plan for the array at hand): 0.1 ms each time, more than running it.
                batch.BatchCommands.Add(Batched(PostgresSql.GenericPlans));
                planned = true;
            }

            batch.BatchCommands.Add(Batched(PostgresSql.NotifyFinishedWrittenHere, P(chunk.ToArray()), P(_signals.FinishedPayloadPrefix)));
        }

        batch.BatchCommands.Add(Batched("COMMIT"));
    }

    private void AddNotifyAndCommit(NpgsqlBatch batch, StoreEffects effects)
    {
        foreach (var payload in NotifyPayloads(effects))
        {
            batch.BatchCommands.Add(Batched(PostgresSql.Notify, P(payload)));
        }

        batch.BatchCommands.Add(Batched("COMMIT"));
    }

    /// <summary>Ends a transaction begun by hand after a failure (best effort: a broken connection is discarded by the pool, and its transaction with it).</summary>
    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The connection is unusable; the pool drops it and the server ends the transaction.
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyCollection<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> jobIds, long leaseUntilMs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        if (jobIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyCollection<string>>([]);
        }

        return TransactAsync<IReadOnlyCollection<string>>(
            async (connection, tx, _) =>
            {
                using var command = connection.Command(PostgresSql.RenewLeases, tx, P(leaseUntilMs), P(jobIds.ToArray()), P(owner));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var kept = new List<string>(jobIds.Count);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        kept.Add(reader.GetString(0));
                    }

                    return kept;
                }
            },
            cancellationToken);
    }

    private static void AddCommitWrites(NpgsqlBatch batch, StepCommit commit, StoreEffects effects)
    {
        if (commit.ConsumedWaits)
        {
            batch.BatchCommands.Add(Batched(PostgresSql.ConsumeWaits, P(commit.JobId)));
        }

        foreach (var wait in commit.Waits)
        {
            batch.BatchCommands.Add(wait.DueAtMs is { } due
                ? Batched(PostgresSql.InsertTimedWait, P(commit.JobId), P(wait.WaitId), P(wait.Type), P(due))
                : Batched(PostgresSql.InsertWait, P(commit.JobId), P(wait.WaitId), P(wait.Type)));
        }

        foreach (var escalation in commit.Escalations)
        {
            batch.BatchCommands.Add(Batched(PostgresSql.InsertEscalation, P(escalation.Id), P(commit.JobId), P(escalation.User), P(escalation.Message), P(escalation.InputsJson), P(commit.NowMs)));
        }

        foreach (var child in commit.Children)
        {
            batch.BatchCommands.Add(Batched(PostgresSql.InsertJob, [.. InsertJobParameters(child), .. ConcurrencyParameters(child)]));
            batch.BatchCommands.Add(EventBatchCommand(new JobEvent(child.Id, FromMs(commit.NowMs), JobEventKind.Scheduled, To: JobStatus.Pending)));
            effects.StatusWritten(child.Id, child.Status, child.Version);
            effects.Ready = true;
        }

        foreach (var entry in commit.Events)
        {
            batch.BatchCommands.Add(EventBatchCommand(entry));
        }
    }

    private static NpgsqlBatchCommand CommitBatchCommand(StepCommit commit) => Batched(PostgresSql.CommitJob, [.. CommitParameters(commit), P(commit.WaitingReason)]);

    private static NpgsqlBatchCommand FusedCommitBatchCommand(StepCommit commit, bool mayHaveParent) =>
        Batched(PostgresSql.CommitJobWithEvent, [.. CommitParameters(commit), P(mayHaveParent), .. EventParameters(commit.Events[0]).Skip(1), P(commit.WaitingReason)]);

    private static NpgsqlParameter[] CommitParameters(StepCommit commit)
    {
        var terminal = commit.Status.IsTerminal();
        return
        [
            P((short)commit.Status),
            P(commit.ContextJson),
            P(commit.Error),
            P(commit.Retries),
            P(commit.RunAtMs),
            P(commit.NowMs),
            P(terminal ? commit.NowMs : (long?)null),
            P(commit.LeaseUntilMs is null ? null : commit.Owner),
            P(commit.LeaseUntilMs),
            P(commit.JobId),
            P(commit.ExpectedVersion),
            P(commit.Owner),
        ];
    }

    private static async Task<List<JobRecord>> AttachResolutionsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, List<JobRecord> jobs, CancellationToken cancellationToken)
    {
        using var command = connection.Command(PostgresSql.ResolutionsFor, tx, P(jobs.Select(j => j.Id).ToArray()));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return Attach(jobs, await ReadResolutionsAsync(reader, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Reads <c>job_id, wait_id, status, output, error</c> rows of wait resolutions, by job.</summary>
    private static async Task<Dictionary<string, List<WaitRow>>?> ReadResolutionsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        Dictionary<string, List<WaitRow>>? byJob = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            byJob ??= new Dictionary<string, List<WaitRow>>(StringComparer.Ordinal);
            var jobId = reader.GetString(0);
            if (!byJob.TryGetValue(jobId, out var rows))
            {
                rows = [];
                byJob[jobId] = rows;
            }

            rows.Add(new WaitRow(reader.GetString(1), (WaitResolutionKind)reader.GetInt16(2), reader.GetNullableString(3), reader.GetNullableString(4)));
        }

        return byJob;
    }

    private static List<JobRecord> Attach(List<JobRecord> jobs, Dictionary<string, List<WaitRow>>? byJob)
    {
        if (byJob is not null)
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                if (byJob.TryGetValue(jobs[i].Id, out var rows))
                {
                    jobs[i] = jobs[i] with { Resolutions = rows };
                }
            }
        }

        return jobs;
    }

    private static NpgsqlParameter[] InsertJobParameters(NewJob job) =>
        [
            P(job.Id), P(job.Flow), P(job.ContextJson), P(job.Priority), P(job.RunAtMs), P(job.CreatedAtMs), P(job.ParentId), P(job.ParentWaitId),
            P(job.IdempotencyKey), P((short)job.Status), P(job.Lease?.Owner), P(job.Lease?.UntilMs), P(job.Version), P(job.InputJson),
            P(job.FlowVersion),
            P(job.TraceParent),
        ];

    /// <summary>The job's concurrency key and limit: the last two parameters of both inserts (after the history entry's in <see cref="PostgresSql.InsertJobWithEvent"/>).</summary>
    private static NpgsqlParameter[] ConcurrencyParameters(NewJob job) => [P(job.ConcurrencyKey), P(job.ConcurrencyLimit)];

    private static NpgsqlCommand EventCommand(NpgsqlConnection connection, NpgsqlTransaction? tx, JobEvent entry) =>
        connection.Command(PostgresSql.InsertEvent, tx, EventParameters(entry));

    private static NpgsqlBatchCommand EventBatchCommand(JobEvent entry) => Batched(PostgresSql.InsertEvent, EventParameters(entry));

    private static NpgsqlParameter[] EventParameters(JobEvent entry) =>
    [
        P(entry.JobId),
        P(entry.At.ToUnixTimeMilliseconds()),
        P((short)entry.Kind),
        P(entry.State),
        P(entry.Step),
        P(entry.From is { } from ? (short)from : (short?)null),
        P(entry.To is { } to ? (short)to : (short?)null),
        P(entry.Duration?.TotalMilliseconds),
        P(entry.Error),
    ];

    private static NpgsqlBatchCommand Batched(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>Which commits of a batch applied, and which to commit again the long way (see <see cref="OutcomeOfOneRoundTrip"/>).</summary>
    private sealed record CommitOutcome(bool[] Applied, List<int> Again)
    {
        /// <summary>Per commit, the descendants it cancelled by ending its job (null where none).</summary>
        public IReadOnlyList<CascadedJob>?[] Cascaded { get; } = new IReadOnlyList<CascadedJob>?[Applied.Length];
    }
}
