using Envoy.Runtime.Storage;
using Envoy.Runtime.StateMachine;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    private const string CommitSavepointSql = "SAVEPOINT envoy_commit";
    private const string CommitReleaseSql = "RELEASE envoy_commit";
    private const string CommitRollbackToSql = "ROLLBACK TO envoy_commit";
    private const int SqliteToobig = 18;
    private const int SqliteConstraint = 19;
    private const int SqliteMismatch = 20;

    /// <inheritdoc />
    public Task<string> CreateJobAsync(NewJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return WriteAsync(
            tx =>
            {
                var created = InsertJob(job, tx);
                if (created)
                {
                    foreach (var entry in job.Events)
                    {
                        InsertEvent(entry, tx);
                    }

                    return job.Id;
                }

                return (string)Commands.Get(SqliteSql.JobIdByKey, tx).Bind("@key", job.IdempotencyKey).ExecuteScalar()!;
            },
            // An eagerly started job runs here at once: no other worker needs to hear of it.
            new StoreEffects { Ready = job.Lease is null },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JobRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var flows = ToJsonArray(request.Flows);
        var flowVersions = request.FlowVersions is null ? null : ToJsonArray(request.FlowVersions);
        return GroupWriteAsync<IReadOnlyList<JobRecord>>(
            tx =>
            {
                var claimed = new List<JobRecord>();
                ClaimInto(claimed, SqliteSql.ClaimExpired, request, (flows, flowVersions), request.Max, tx);
                var expired = claimed.Count;
                if (claimed.Count < request.Max)
                {
                    ClaimLimitedInto(claimed, request, (flows, flowVersions), tx);
                }

                if (claimed.Count < request.Max)
                {
                    ClaimPendingInto(claimed, request, (flows, flowVersions), tx);
                }

                if (claimed.Count == 0)
                {
                    return claimed;
                }

                var at = FromMs(request.NowMs);
                for (var i = 0; i < claimed.Count; i++)
                {
                    var from = i < expired ? JobStatus.Running : JobStatus.Pending;
                    InsertEvent(new JobEvent(claimed[i].Id, at, JobEventKind.Claimed, From: from, To: JobStatus.Running), tx);
                }

                return AttachResolutions(claimed, tx);
            },
            GroupWrite.LeasesOnly | GroupWrite.LeadInline,
            null,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The batch runs in a savepoint of its own; when SQLite refuses the data of one commit (<see cref="IsDataRefusal"/>), the
    /// savepoint is rolled back and each commit is applied again in a savepoint of its own: the refused one gets SQLite's
    /// reason, the others are applied.
    /// </remarks>
    public Task<IReadOnlyList<CommitResult>> CommitStepsAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commits);
        var effects = new StoreEffects();
        return GroupWriteAsync<IReadOnlyList<CommitResult>>(
            tx =>
            {
                var results = new CommitResult[commits.Count];
                var batchEffects = new StoreEffects();
                Commands.Get(CommitSavepointSql, tx).ExecuteNonQuery();
                try
                {
                    for (var i = 0; i < commits.Count; i++)
                    {
                        var mark = batchEffects.CascadedCount;
                        results[i] = ApplyCommit(commits[i], tx, batchEffects) ? CommitResult.Ok with { Cascaded = batchEffects.CascadedSince(mark) } : CommitResult.Stale;
                    }

                    Commands.Get(CommitReleaseSql, tx).ExecuteNonQuery();
                    Merge(batchEffects, effects);
                    return results;
                }
                catch (SqliteException ex) when (IsDataRefusal(ex))
                {
                    Commands.Get(CommitRollbackToSql, tx).ExecuteNonQuery();
                    Commands.Get(CommitReleaseSql, tx).ExecuteNonQuery();
                }

                for (var i = 0; i < commits.Count; i++)
                {
                    var own = new StoreEffects();
                    Commands.Get(CommitSavepointSql, tx).ExecuteNonQuery();
                    try
                    {
                        results[i] = ApplyCommit(commits[i], tx, own) ? CommitResult.Ok with { Cascaded = own.Cascaded } : CommitResult.Stale;
                        Commands.Get(CommitReleaseSql, tx).ExecuteNonQuery();
                        Merge(own, effects);
                    }
                    catch (SqliteException ex) when (IsDataRefusal(ex))
                    {
                        Commands.Get(CommitRollbackToSql, tx).ExecuteNonQuery();
                        Commands.Get(CommitReleaseSql, tx).ExecuteNonQuery();
                        results[i] = CommitResult.Refused($"SQLite refused it: {ex.Message}");
                    }
                }

                return results;
            },
            GroupWrite.LeadInline,
            effects,
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<bool>> CommitAsync(IReadOnlyList<StepCommit> commits, CancellationToken cancellationToken = default) =>
        CommitRefusedException.ThrowIfAnyRefused(commits, await CommitStepsAsync(commits, cancellationToken).ConfigureAwait(false));

    /// <summary>True when SQLite refused the data written (a constraint, a value too big, a type mismatch), not the database.</summary>
    private static bool IsDataRefusal(SqliteException ex) => ex.SqliteErrorCode is SqliteToobig or SqliteConstraint or SqliteMismatch;

    /// <summary>Adds the effects of a commit that went through to those published after the transaction.</summary>
    private static void Merge(StoreEffects from, StoreEffects into)
    {
        into.Ready |= from.Ready;
        foreach (var id in from.Finished)
        {
            into.AddFinished(id);
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

        return GroupWriteAsync<IReadOnlyCollection<string>>(
            tx =>
            {
                var kept = new List<string>(jobIds.Count);
                var command = Commands.Get(SqliteSql.RenewLease, tx).Bind("@owner", owner).Bind("@until", leaseUntilMs);
                foreach (var id in jobIds)
                {
                    if (command.Bind("@id", id).ExecuteNonQuery() == 1)
                    {
                        kept.Add(id);
                    }
                }

                return kept;
            },
            GroupWrite.LeasesOnly | GroupWrite.LeadInline,
            null,
            cancellationToken);
    }

    private bool ApplyCommit(StepCommit commit, SqliteTransaction tx, StoreEffects effects)
    {
        if (TryCommitStillRunning(commit, tx))
        {
            return true;
        }

        var terminal = commit.Status.IsTerminal();
        var update = Commands.Get(SqliteSql.CommitJob, tx)
            .Bind("@status", (int)commit.Status)
            .Bind("@context", commit.ContextJson)
            .Bind("@error", commit.Error)
            .Bind("@retries", commit.Retries)
            .Bind("@run_at", commit.RunAtMs)
            .Bind("@now", commit.NowMs)
            .Bind("@finished_at", terminal ? commit.NowMs : null)
            .Bind("@lease_owner", commit.LeaseUntilMs is null ? null : commit.Owner)
            .Bind("@lease_until", commit.LeaseUntilMs)
            .Bind("@id", commit.JobId)
            .Bind("@version", commit.ExpectedVersion)
            .Bind("@owner", commit.Owner)
            .Bind("@waiting_reason", commit.WaitingReason);
        string? parentId;
        string? parentWaitId;
        using (var reader = update.ExecuteReader())
        {
            if (!reader.Read())
            {
                return false;
            }

            parentId = reader.GetNullableString(0);
            parentWaitId = reader.GetNullableString(1);
        }

        if (commit.ConsumedWaits)
        {
            Commands.Get(SqliteSql.ConsumeWaits, tx).Bind("@id", commit.JobId).ExecuteNonQuery();
        }

        foreach (var wait in commit.Waits)
        {
            if (wait.DueAtMs is { } due)
            {
                Commands.Get(SqliteSql.InsertTimedWait, tx).Bind("@job_id", commit.JobId).Bind("@wait_id", wait.WaitId).Bind("@type", wait.Type).Bind("@due_at", due).ExecuteNonQuery();
            }
            else
            {
                Commands.Get(SqliteSql.InsertWait, tx).Bind("@job_id", commit.JobId).Bind("@wait_id", wait.WaitId).Bind("@type", wait.Type).ExecuteNonQuery();
            }
        }

        foreach (var escalation in commit.Escalations)
        {
            Commands.Get(SqliteSql.InsertEscalation, tx)
                .Bind("@id", escalation.Id)
                .Bind("@job_id", commit.JobId)
                .Bind("@user", escalation.User)
                .Bind("@message", escalation.Message)
                .Bind("@inputs", escalation.InputsJson)
                .Bind("@now", commit.NowMs)
                .ExecuteNonQuery();
        }

        foreach (var child in commit.Children)
        {
            InsertJob(child, tx);
            InsertEvent(new JobEvent(child.Id, FromMs(commit.NowMs), JobEventKind.Scheduled, To: JobStatus.Pending), tx);
            effects.Ready = true;
        }

        foreach (var entry in commit.Events)
        {
            InsertEvent(entry, tx);
        }

        if (commit.Status == JobStatus.Pending)
        {
            effects.Ready = true;
        }

        if (terminal)
        {
            effects.AddFinished(commit.JobId);
            if (JobEnd.HasEffects(commit.Status, parentId))
            {
                var end = JobEnd.OfCommit(commit, parentId, parentWaitId);
                SqliteJobTransaction.RunSynchronously(JobStateMachine.JobEndedAsync(new SqliteJobTransaction(this, tx, effects), end, CancellationToken.None));
            }
        }

        return true;
    }

    /// <summary>Claims due pending jobs one priority level at a time, highest first, until the request is full.</summary>
    private void ClaimPendingInto(List<JobRecord> claimed, ClaimRequest request, (string Flows, string? Versions) flows, SqliteTransaction tx)
    {
        var below = long.MaxValue;
        while (claimed.Count < request.Max && Commands.Get(SqliteSql.NextPriorityLevel, tx).Bind("@below", below).ExecuteScalar() is long level)
        {
            ClaimInto(claimed, SqliteSql.ClaimPending, request, flows, request.Max - claimed.Count, tx, level);
            below = level;
        }
    }

    private void ClaimInto(List<JobRecord> claimed, string sql, ClaimRequest request, (string Flows, string? Versions) flows, int max, SqliteTransaction tx, long? priority = null)
    {
        var command = Commands.Get(sql, tx)
            .Bind("@owner", request.Owner)
            .Bind("@until", request.LeaseUntilMs)
            .Bind("@now", request.NowMs)
            .Bind("@flows", flows.Flows)
            .Bind("@flow_versions", flows.Versions)
            .Bind("@max", max);
        if (priority is { } level)
        {
            command.Bind("@priority", level);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            claimed.Add(StoreRows.ReadJob(reader));
        }
    }

    private List<JobRecord> AttachResolutions(List<JobRecord> jobs, SqliteTransaction? tx, SqliteConnection? connection = null)
    {
        var command = connection is null ? Commands.Get(SqliteSql.ResolutionsFor, tx) : connection.CreateCommand();
        if (connection is not null)
        {
            command.CommandText = SqliteSql.ResolutionsFor;
        }

        Dictionary<string, List<WaitRow>>? byJob = null;
        command.Bind("@ids", ToJsonArray(jobs.Select(j => j.Id)));
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                byJob ??= new Dictionary<string, List<WaitRow>>(StringComparer.Ordinal);
                var jobId = reader.GetString(0);
                if (!byJob.TryGetValue(jobId, out var rows))
                {
                    rows = [];
                    byJob[jobId] = rows;
                }

                rows.Add(new WaitRow(reader.GetString(1), (WaitResolutionKind)reader.GetInt32(2), reader.GetNullableString(3), reader.GetNullableString(4)));
            }
        }

        if (connection is not null)
        {
            command.Dispose();
        }

        if (byJob is null)
        {
            return jobs;
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            if (byJob.TryGetValue(jobs[i].Id, out var rows))
            {
                jobs[i] = jobs[i] with { Resolutions = rows };
            }
        }

        return jobs;
    }

    private bool InsertJob(NewJob job, SqliteTransaction tx, bool parked = false) =>
        Commands.Get(SqliteSql.InsertJob, tx)
            .Bind("@id", job.Id)
            .Bind("@flow", job.Flow)
            .Bind("@context", job.ContextJson)
            .Bind("@priority", job.Priority)
            .Bind("@run_at", job.RunAtMs)
            .Bind("@now", job.CreatedAtMs)
            .Bind("@parent_id", job.ParentId)
            .Bind("@parent_wait_id", job.ParentWaitId)
            .Bind("@key", job.IdempotencyKey)
            .Bind("@status", (int)job.Status)
            .Bind("@lease_owner", job.Lease?.Owner)
            .Bind("@lease_until", job.Lease?.UntilMs)
            .Bind("@version", job.Version)
            .Bind("@input", job.InputJson)
            .Bind("@flow_version", job.FlowVersion)
            .Bind("@trace_parent", job.TraceParent)
            .Bind("@concurrency_key", job.ConcurrencyKey)
            .Bind("@concurrency_limit", job.ConcurrencyLimit)
            .Bind("@parked", parked ? 1 : 0)
            .ExecuteNonQuery() == 1;

    private void InsertEvent(JobEvent entry, SqliteTransaction tx) =>
        Commands.Get(SqliteSql.InsertEvent, tx)
            .Bind("@job_id", entry.JobId)
            .Bind("@at", entry.At.ToUnixTimeMilliseconds())
            .Bind("@kind", (int)entry.Kind)
            .Bind("@state", entry.State)
            .Bind("@step", entry.Step)
            .Bind("@from", entry.From is { } from ? (int)from : null)
            .Bind("@to", entry.To is { } to ? (int)to : null)
            .Bind("@duration", entry.Duration?.TotalMilliseconds)
            .Bind("@error", entry.Error)
            .ExecuteNonQuery();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
