using Envoy.Runtime;
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

                return ResolveWait(resolution, tx, effects);
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

                if (escalation.Status != EscalationStatus.Pending)
                {
                    return new StoreResult(StoreOutcome.EscalationAlreadyAnswered, EscalationStatus: escalation.Status, JobId: escalation.JobId);
                }

                var (_, status, _, _) = ReadStatus(escalation.JobId, tx);
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

                if (current != JobStatus.Failed)
                {
                    return new StoreResult(StoreOutcome.WrongStatus, current);
                }

                Commands.Get(SqliteSql.RetryJob, tx).Bind("@now", nowMs).Bind("@id", jobId).ExecuteNonQuery();
                InsertEvent(new JobEvent(jobId, FromMs(nowMs), JobEventKind.Retried, From: JobStatus.Failed, To: JobStatus.Pending), tx);
                effects.Ready = true;
                return StoreResult.Ok;
            },
            effects,
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    private StoreResult ResolveWait(WaitResolution resolution, SqliteTransaction tx, StoreEffects effects)
    {
        var current = Commands.Get(SqliteSql.WaitStatus, tx).Bind("@job_id", resolution.JobId).Bind("@wait_id", resolution.WaitId).ExecuteScalar();
        if (current is null or DBNull)
        {
            return new StoreResult(StoreOutcome.WaitNotFound);
        }

        if (Convert.ToInt32(current, System.Globalization.CultureInfo.InvariantCulture) != (int)WaitResolutionKind.Pending)
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
