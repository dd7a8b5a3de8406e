using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public async Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var effects = new StoreEffects();
        var result = await WriteAsync(
            tx =>
            {
                var (found, status, _, _) = ReadStatus(resolution.JobId, tx);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (status.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, status);
                }

                return ResolveWait(resolution, tx, effects, externalOnly: true);
            },
            effects,
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var effects = new StoreEffects();
        var result = await WriteAsync(
            tx =>
            {
                Escalation? escalation;
                using (var reader = Commands.Get(SqliteSql.GetEscalation, tx).Bind("@id", reply.EscalationId).ExecuteReader())
                {
                    escalation = reader.Read() ? StoreRows.ReadEscalation(reader) : null;
                }

                if (escalation is null)
                {
                    return new StoreResult(StoreOutcome.EscalationNotFound);
                }

                var (_, status, _, _) = ReadStatus(escalation.JobId, tx);
                if (escalation.Status == EscalationStatus.Cancelled && status.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, status, escalation.JobId);
                }

                if (escalation.Status != EscalationStatus.Pending)
                {
                    return new StoreResult(StoreOutcome.EscalationAlreadyAnswered, EscalationStatus: escalation.Status, JobId: escalation.JobId);
                }

                if (status.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, status, escalation.JobId);
                }

                Commands.Get(SqliteSql.AnswerEscalation, tx)
                    .Bind("@status", (int)reply.Status)
                    .Bind("@response", reply.ResponseJson)
                    .Bind("@replied_by", reply.RepliedBy)
                    .Bind("@now", reply.NowMs)
                    .Bind("@id", reply.EscalationId)
                    .ExecuteNonQuery();
                InsertEvent(new JobEvent(escalation.JobId, FromMs(reply.NowMs), JobEventKind.EscalationAnswered, Error: reply.Status == EscalationStatus.Rejected ? "rejected" : null), tx);
                var kind = reply.Status == EscalationStatus.Approved ? WaitResolutionKind.Success : WaitResolutionKind.Error;
                var error = reply.Status == EscalationStatus.Approved ? null : "rejected";
                var resolved = ResolveWait(new WaitResolution(escalation.JobId, escalation.WaitId, kind, reply.ResponseJson, error, reply.NowMs), tx, effects);
                return resolved with { JobId = escalation.JobId };
            },
            effects,
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default)
    {
        if (status is not (JobStatus.Cancelled or JobStatus.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only Cancelled or Failed can be set by hand.");
        }

        var effects = new StoreEffects();
        var result = await WriteAsync(
            tx =>
            {
                var (found, current, parentId, parentWaitId) = ReadStatus(jobId, tx);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (current.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, current);
                }

                Commands.Get(SqliteSql.FinishJob, tx).Bind("@status", (int)status).Bind("@error", error).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery();
                var kind = status == JobStatus.Cancelled ? JobEventKind.Cancelled : JobEventKind.Failed;
                InsertEvent(new JobEvent(jobId, FromMs(nowMs), kind, From: current, To: status, Error: error), tx);
                effects.AddFinished(jobId);
                var waitKind = status == JobStatus.Cancelled ? WaitResolutionKind.Cancelled : WaitResolutionKind.Error;
                FinishEffects(jobId, status, parentId, parentWaitId, waitKind, null, error, nowMs, tx, effects);
                return new StoreResult(StoreOutcome.Ok, current) { Cascaded = effects.Cascaded };
            },
            effects,
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default)
    {
        var effects = new StoreEffects();
        var result = await WriteAsync(
            tx =>
            {
                var (found, current, _, _) = ReadStatus(jobId, tx);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (current is not (JobStatus.Failed or JobStatus.Cancelled))
                {
                    return new StoreResult(StoreOutcome.WrongStatus, current);
                }

                return new StoreResult(StoreOutcome.Ok, Revive(jobId, current, nowMs, tx, effects));
            },
            effects,
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs a failed or cancelled job again from its last committed context: the children behind its pending waits that
    /// ended failed or cancelled are revived the same way, its cancelled or expired escalations are pending again, and it is
    /// blocking while a wait is pending, else pending. Returns its new status.
    /// </summary>
    private JobStatus Revive(string jobId, JobStatus from, long nowMs, SqliteTransaction tx, StoreEffects effects)
    {
        var children = new List<(string Id, JobStatus Status)>();
        using (var reader = Commands.Get(SqliteSql.ChildrenOfPendingWaits, tx).Bind("@id", jobId).ExecuteReader())
        {
            while (reader.Read())
            {
                children.Add((reader.GetString(0), (JobStatus)reader.GetInt32(1)));
            }
        }

        foreach (var (childId, childStatus) in children)
        {
            if (childStatus is JobStatus.Failed or JobStatus.Cancelled)
            {
                Revive(childId, childStatus, nowMs, tx, effects);
            }
        }

        Commands.Get(SqliteSql.ReviveEscalations, tx).Bind("@id", jobId).ExecuteNonQuery();
        var blocked = Convert.ToInt64(Commands.Get(SqliteSql.HasPendingWait, tx).Bind("@id", jobId).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
        var status = blocked ? JobStatus.Blocking : JobStatus.Pending;
        Commands.Get(SqliteSql.RetryJob, tx).Bind("@status", (int)status).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery();
        InsertEvent(new JobEvent(jobId, FromMs(nowMs), JobEventKind.Retried, From: from, To: status), tx);
        effects.Ready |= !blocked;
        return status;
    }

    /// <summary>
    /// Resolves a pending wait and unblocks its job when no wait is left. <paramref name="externalOnly"/>: refuse a child's or an
    /// escalation's wait (a resolution by hand), which resolve only through the child's end or a reply.
    /// </summary>
    private StoreResult ResolveWait(WaitResolution resolution, SqliteTransaction tx, StoreEffects effects, bool externalOnly = false)
    {
        int current;
        string type;
        using (var reader = Commands.Get(SqliteSql.WaitStatus, tx).Bind("@job_id", resolution.JobId).Bind("@wait_id", resolution.WaitId).ExecuteReader())
        {
            if (!reader.Read())
            {
                return new StoreResult(StoreOutcome.WaitNotFound);
            }

            current = reader.GetInt32(0);
            type = reader.GetString(1);
        }

        if (externalOnly && type is WaitTypes.Spawn or WaitTypes.Escalation)
        {
            return new StoreResult(StoreOutcome.WaitTypeMismatch, WaitType: type);
        }

        if (current != (int)WaitResolutionKind.Pending)
        {
            return new StoreResult(StoreOutcome.WaitAlreadyResolved);
        }

        Commands.Get(SqliteSql.ResolveWait, tx)
            .Bind("@status", (int)resolution.Kind)
            .Bind("@output", resolution.OutputJson)
            .Bind("@error", resolution.Error)
            .Bind("@now", resolution.NowMs)
            .Bind("@job_id", resolution.JobId)
            .Bind("@wait_id", resolution.WaitId)
            .ExecuteNonQuery();
        InsertEvent(new JobEvent(resolution.JobId, FromMs(resolution.NowMs), JobEventKind.WaitResolved, Error: resolution.Error), tx);
        if (Commands.Get(SqliteSql.Unblock, tx).Bind("@now", resolution.NowMs).Bind("@id", resolution.JobId).ExecuteNonQuery() == 1)
        {
            effects.Ready = true;
        }

        return StoreResult.Ok;
    }

    /// <summary>A job became terminal: its parent's wait resolves and, unless it is done, its unfinished descendants are cancelled.</summary>
    private void FinishEffects(
        string jobId,
        JobStatus status,
        string? parentId,
        string? parentWaitId,
        WaitResolutionKind kind,
        string? outputJson,
        string? error,
        long nowMs,
        SqliteTransaction tx,
        StoreEffects effects)
    {
        if (parentId is not null && parentWaitId is not null)
        {
            var waitError = kind switch
            {
                WaitResolutionKind.Success => null,
                WaitResolutionKind.Cancelled => "cancelled",
                _ => error ?? "failed",
            };
            ResolveWait(new WaitResolution(parentId, parentWaitId, kind, kind == WaitResolutionKind.Success ? outputJson : null, waitError, nowMs), tx, effects);
        }

        if (status == JobStatus.Done)
        {
            // A job finishes done only from running, when none of its waits is pending: it has no escalation to cancel.
            return;
        }

        var cancelled = new List<(string Id, string Flow)>();
        using (var reader = Commands.Get(SqliteSql.CancelDescendants, tx)
            .Bind("@root", jobId)
            .Bind("@error", $"cancelled: ancestor job '{jobId}' ended {status.ToString().ToLowerInvariant()}")
            .Bind("@now", nowMs)
            .ExecuteReader())
        {
            while (reader.Read())
            {
                cancelled.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Commands.Get(SqliteSql.CancelEscalations, tx).Bind("@ids", ToJsonArray([jobId, .. cancelled.Select(c => c.Id)])).ExecuteNonQuery();
        foreach (var (id, flow) in cancelled)
        {
            InsertEvent(new JobEvent(id, FromMs(nowMs), JobEventKind.Cancelled, To: JobStatus.Cancelled, Error: $"ancestor job '{jobId}' ended {status.ToString().ToLowerInvariant()}"), tx);
            effects.AddCascaded(id, flow);
        }
    }

    private (bool Found, JobStatus Status, string? ParentId, string? ParentWaitId) ReadStatus(string jobId, SqliteTransaction tx)
    {
        using var reader = Commands.Get(SqliteSql.JobStatusAndParent, tx).Bind("@id", jobId).ExecuteReader();
        return reader.Read()
            ? (true, (JobStatus)reader.GetInt32(0), reader.GetNullableString(1), reader.GetNullableString(2))
            : (false, JobStatus.Pending, null, null);
    }
}
