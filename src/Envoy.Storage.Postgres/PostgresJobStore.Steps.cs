using Envoy.Runtime;
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
    /// </remarks>
    public Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var flows = request.Flows.ToArray();
        // One batch, one round trip: the settings and the claim run as one implicit transaction, committed with the batch.
        return BatchAsync<IReadOnlyList<JobRecord>>(
            async (connection, effects) =>
            {
                var claimed = new List<JobRecord>();
                Dictionary<string, List<WaitRow>>? resolutions;
                var batch = new NpgsqlBatch(connection);
                await using (batch.ConfigureAwait(false))
                {
                    foreach (var setting in PostgresSql.ClaimSettings)
                    {
                        batch.BatchCommands.Add(Batched(setting));
                    }

                    batch.BatchCommands.Add(Batched(
                        PostgresSql.Claim,
                        P(request.Owner),
                        P(request.LeaseUntilMs),
                        P(request.NowMs),
                        P(flows),
                        P(request.Max),
                        P((short)JobEventKind.Claimed),
                        P((short)JobStatus.Running),
                        P((short)JobStatus.Pending)));
                    batch.BatchCommands.Add(Batched(PostgresSql.ResolutionsOfClaim, P(request.Owner), P(request.LeaseUntilMs)));
                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var job = StoreRows.ReadJob(reader);
                            claimed.Add(job);
                            effects.StatusWritten(job.Id, job.Status, job.Version);
                        }

                        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                        resolutions = await ReadResolutionsAsync(reader, cancellationToken).ConfigureAwait(false);
                    }
                }

                return Attach(claimed, resolutions);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        return BatchAsync<IReadOnlyList<bool>>(
            async (connection, effects) =>
            {
                try
                {
                    return await CommitInTransactionAsync(connection, commits, effects, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await RollbackQuietlyAsync(connection).ConfigureAwait(false);
                    throw;
                }
            },
            cancellationToken);
    }

    /// <summary>
    /// The commits' transaction, in as few round trips as the work allows: <c>BEGIN</c> travels with the updates; the writes
    /// of the applied commits, the NOTIFY and <c>COMMIT</c> travel together, unless a finished job has a parent to resolve or
    /// descendants to cancel, which need round trips of their own before the NOTIFY and <c>COMMIT</c>. (An
    /// <see cref="NpgsqlTransaction"/> would send <c>COMMIT</c> alone.)
    /// </summary>
    private async Task<IReadOnlyList<bool>> CommitInTransactionAsync(NpgsqlConnection connection, IReadOnlyList<StepCommit> commits, StoreEffects effects, CancellationToken cancellationToken)
    {
        var applied = new bool[commits.Count];
        var parents = new (string? ParentId, string? ParentWaitId)[commits.Count];
        var updates = new NpgsqlBatch(connection);
        await using (updates.ConfigureAwait(false))
        {
            updates.BatchCommands.Add(Batched("BEGIN"));
            foreach (var commit in commits)
            {
                updates.BatchCommands.Add(CommitBatchCommand(commit));
            }

            var reader = await updates.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                for (var i = 0; i < commits.Count; i++)
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
        var followUps = finishing.Exists(i => parents[i].ParentId is not null || commits[i].Status != JobStatus.Done);
        var writes = new NpgsqlBatch(connection);
        await using (writes.ConfigureAwait(false))
        {
            for (var i = 0; i < commits.Count; i++)
            {
                if (applied[i])
                {
                    effects.StatusWritten(commits[i].JobId, commits[i].Status, commits[i].ExpectedVersion + 1);
                    AddCommitWrites(writes, commits[i], effects);
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

        if (followUps)
        {
            foreach (var i in finishing)
            {
                var commit = commits[i];
                var kind = commit.Status switch
                {
                    JobStatus.Done => WaitResolutionKind.Success,
                    JobStatus.Cancelled => WaitResolutionKind.Cancelled,
                    _ => WaitResolutionKind.Error,
                };
                await FinishEffectsAsync(connection, null, commit.JobId, commit.Status, parents[i].ParentId, parents[i].ParentWaitId, kind, commit.OutputJson, commit.Error, commit.NowMs, effects, cancellationToken).ConfigureAwait(false);
            }

            var end = new NpgsqlBatch(connection);
            await using (end.ConfigureAwait(false))
            {
                AddNotifyAndCommit(end, effects);
                await end.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return applied;
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
            batch.BatchCommands.Add(Batched(PostgresSql.InsertWait, P(commit.JobId), P(wait.WaitId), P(wait.Type)));
        }

        foreach (var escalation in commit.Escalations)
        {
            batch.BatchCommands.Add(Batched(PostgresSql.InsertEscalation, P(escalation.Id), P(commit.JobId), P(escalation.User), P(escalation.Message), P(escalation.InputsJson), P(commit.NowMs)));
        }

        foreach (var child in commit.Children)
        {
            batch.BatchCommands.Add(Batched(PostgresSql.InsertJob, InsertJobParameters(child)));
            batch.BatchCommands.Add(EventBatchCommand(new JobEvent(child.Id, FromMs(commit.NowMs), JobEventKind.Scheduled, To: JobStatus.Pending)));
            effects.StatusWritten(child.Id, child.Status, child.Version);
            effects.Ready = true;
        }

        foreach (var entry in commit.Events)
        {
            batch.BatchCommands.Add(EventBatchCommand(entry));
        }

        if (commit.Status == JobStatus.Pending)
        {
            effects.Ready = true;
        }
    }

    private static NpgsqlBatchCommand CommitBatchCommand(StepCommit commit)
    {
        var terminal = commit.Status.IsTerminal();
        return Batched(
            PostgresSql.CommitJob,
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
            P(commit.Owner));
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
            P(job.IdempotencyKey), P((short)job.Status), P(job.Lease?.Owner), P(job.Lease?.UntilMs), P(job.Version),
        ];

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
}
