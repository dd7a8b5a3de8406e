using Envoy.Runtime.Storage;
using Npgsql;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task<StoreResult> ResolveWaitAsync(WaitResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        return TransactAsync(
            async (connection, tx, effects) =>
            {
                var (found, status, _, _) = await LockJobAsync(connection, tx, resolution.JobId, cancellationToken).ConfigureAwait(false);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (status.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, status);
                }

                return await ResolveLockedWaitAsync(connection, tx, resolution, effects, cancellationToken, externalOnly: true).ConfigureAwait(false);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> ReplyToEscalationAsync(EscalationReply reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return TransactAsync(
            async (connection, tx, effects) =>
            {
                Escalation? escalation;
                using (var read = connection.Command(PostgresSql.LockEscalation, tx, P(reply.EscalationId)))
                {
                    var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        escalation = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? StoreRows.ReadEscalation(reader) : null;
                    }
                }

                if (escalation is null)
                {
                    return new StoreResult(StoreOutcome.EscalationNotFound);
                }

                var (_, status, _, _) = await LockJobAsync(connection, tx, escalation.JobId, cancellationToken).ConfigureAwait(false);
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

                using (var answer = connection.Command(PostgresSql.AnswerEscalation, tx, P((short)reply.Status), P(reply.ResponseJson), P(reply.RepliedBy), P(reply.NowMs), P(reply.EscalationId)))
                {
                    await answer.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await ExecuteAsync(EventCommand(connection, tx, new JobEvent(escalation.JobId, FromMs(reply.NowMs), JobEventKind.EscalationAnswered, Error: reply.Status == EscalationStatus.Rejected ? "rejected" : null)), cancellationToken).ConfigureAwait(false);
                var approved = reply.Status == EscalationStatus.Approved;
                var resolution = new WaitResolution(escalation.JobId, escalation.WaitId, approved ? WaitResolutionKind.Success : WaitResolutionKind.Error, reply.ResponseJson, approved ? null : "rejected", reply.NowMs);
                var resolved = await ResolveLockedWaitAsync(connection, tx, resolution, effects, cancellationToken).ConfigureAwait(false);
                return resolved with { JobId = escalation.JobId };
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> FinishJobAsync(string jobId, JobStatus status, string error, long nowMs, CancellationToken cancellationToken = default)
    {
        if (status is not (JobStatus.Cancelled or JobStatus.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Only Cancelled or Failed can be set by hand.");
        }

        return TransactAsync(
            async (connection, tx, effects) =>
            {
                var (found, current, parentId, parentWaitId) = await LockJobAsync(connection, tx, jobId, cancellationToken).ConfigureAwait(false);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (current.IsTerminal())
                {
                    return new StoreResult(StoreOutcome.JobTerminal, current);
                }

                await ExecuteAsync(connection.Command(PostgresSql.FinishJob, tx, P((short)status), P(error), P(nowMs), P(jobId)), cancellationToken).ConfigureAwait(false);
                var kind = status == JobStatus.Cancelled ? JobEventKind.Cancelled : JobEventKind.Failed;
                await ExecuteAsync(EventCommand(connection, tx, new JobEvent(jobId, FromMs(nowMs), kind, From: current, To: status, Error: error)), cancellationToken).ConfigureAwait(false);
                effects.AddFinished(jobId);
                var waitKind = status == JobStatus.Cancelled ? WaitResolutionKind.Cancelled : WaitResolutionKind.Error;
                await FinishEffectsAsync(connection, tx, jobId, status, parentId, parentWaitId, waitKind, null, error, nowMs, effects, cancellationToken).ConfigureAwait(false);
                return new StoreResult(StoreOutcome.Ok, current) { Cascaded = effects.Cascaded };
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<StoreResult> RetryJobAsync(string jobId, long nowMs, CancellationToken cancellationToken = default) =>
        TransactAsync(
            async (connection, tx, effects) =>
            {
                var (found, current, _, _) = await LockJobAsync(connection, tx, jobId, cancellationToken).ConfigureAwait(false);
                if (!found)
                {
                    return new StoreResult(StoreOutcome.JobNotFound);
                }

                if (current is not (JobStatus.Failed or JobStatus.Cancelled))
                {
                    return new StoreResult(StoreOutcome.WrongStatus, current);
                }

                var status = await ReviveAsync(connection, tx, jobId, current, nowMs, effects, cancellationToken).ConfigureAwait(false);
                return new StoreResult(StoreOutcome.Ok, status);
            },
            cancellationToken);

    /// <summary>
    /// Runs a failed or cancelled job (locked) again from its last committed context: the children behind its pending waits
    /// that ended failed or cancelled are revived the same way, its cancelled or expired escalations are pending again, and it
    /// is blocking while a wait is pending, else pending. Returns its new status.
    /// </summary>
    private static async Task<JobStatus> ReviveAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string jobId, JobStatus from, long nowMs, StoreEffects effects, CancellationToken cancellationToken)
    {
        var children = new List<(string Id, JobStatus Status)>();
        using (var read = connection.Command(PostgresSql.ChildrenOfPendingWaits, tx, P(jobId)))
        {
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    children.Add((reader.GetString(0), (JobStatus)reader.GetInt16(1)));
                }
            }
        }

        foreach (var (childId, childStatus) in children)
        {
            if (childStatus is JobStatus.Failed or JobStatus.Cancelled)
            {
                await ReviveAsync(connection, tx, childId, childStatus, nowMs, effects, cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(connection.Command(PostgresSql.ReviveEscalations, tx, P(jobId)), cancellationToken).ConfigureAwait(false);
        bool blocked;
        using (var read = connection.Command(PostgresSql.HasPendingWait, tx, P(jobId)))
        {
            blocked = (bool)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var status = blocked ? JobStatus.Blocking : JobStatus.Pending;
        await ExecuteAsync(connection.Command(PostgresSql.RetryJob, tx, P((short)status), P(nowMs), P(jobId)), cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(EventCommand(connection, tx, new JobEvent(jobId, FromMs(nowMs), JobEventKind.Retried, From: from, To: status)), cancellationToken).ConfigureAwait(false);
        effects.Ready |= !blocked;
        effects.StatusChanged(jobId);
        return status;
    }

    /// <summary>Resolves a pending wait of a job whose row this transaction has locked; unblocks the job when no wait is left.</summary>
    /// <remarks>
    /// <paramref name="externalOnly"/>: refuse a child's or an escalation's wait (a resolution by hand), which resolve only
    /// through the child's end or a reply.
    /// </remarks>
    private static async Task<StoreResult> ResolveLockedWaitAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, WaitResolution resolution, StoreEffects effects, CancellationToken cancellationToken, bool externalOnly = false)
    {
        int current;
        string type;
        using (var read = connection.Command(PostgresSql.WaitStatus, tx, P(resolution.JobId), P(resolution.WaitId)))
        {
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return new StoreResult(StoreOutcome.WaitNotFound);
                }

                current = reader.GetInt16(0);
                type = reader.GetString(1);
            }
        }

        if (externalOnly && type is WaitTypes.Spawn or WaitTypes.Escalation)
        {
            return new StoreResult(StoreOutcome.WaitTypeMismatch, WaitType: type);
        }

        if (current != (int)WaitResolutionKind.Pending)
        {
            return new StoreResult(StoreOutcome.WaitAlreadyResolved);
        }

        await ExecuteAsync(
            connection.Command(PostgresSql.ResolveWait, tx, P((short)resolution.Kind), P(resolution.OutputJson), P(resolution.Error), P(resolution.NowMs), P(resolution.JobId), P(resolution.WaitId)),
            cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(EventCommand(connection, tx, new JobEvent(resolution.JobId, FromMs(resolution.NowMs), JobEventKind.WaitResolved, Error: resolution.Error)), cancellationToken).ConfigureAwait(false);
        if (await ExecuteAsync(connection.Command(PostgresSql.Unblock, tx, P(resolution.NowMs), P(resolution.JobId)), cancellationToken).ConfigureAwait(false) == 1)
        {
            effects.Ready = true;
            effects.StatusChanged(resolution.JobId);
        }

        return StoreResult.Ok;
    }

    /// <summary>A job became terminal: its parent's wait resolves and, unless it is done, its unfinished descendants are cancelled.</summary>
    private static async Task FinishEffectsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? tx,
        string jobId,
        JobStatus status,
        string? parentId,
        string? parentWaitId,
        WaitResolutionKind kind,
        string? outputJson,
        string? error,
        long nowMs,
        StoreEffects effects,
        CancellationToken cancellationToken)
    {
        if (parentId is not null && parentWaitId is not null)
        {
            // Lock the parent first, so that siblings finishing at once see each other's resolutions and one of them unblocks it.
            var (found, parentStatus, _, _) = await LockJobAsync(connection, tx, parentId, cancellationToken).ConfigureAwait(false);
            if (found && !parentStatus.IsTerminal())
            {
                var waitError = kind switch
                {
                    WaitResolutionKind.Success => null,
                    WaitResolutionKind.Cancelled => "cancelled",
                    _ => error ?? "failed",
                };
                var resolution = new WaitResolution(parentId, parentWaitId, kind, kind == WaitResolutionKind.Success ? outputJson : null, waitError, nowMs);
                await ResolveLockedWaitAsync(connection, tx, resolution, effects, cancellationToken).ConfigureAwait(false);
            }
        }

        if (status == JobStatus.Done)
        {
            // A job finishes done only from running, when none of its waits is pending: it has no escalation to cancel.
            return;
        }

        var reason = $"ancestor job '{jobId}' ended {status.ToString().ToLowerInvariant()}";
        var cancelled = new List<(string Id, string Flow)>();
        using (var command = connection.Command(PostgresSql.CancelDescendants, tx, P(jobId), P("cancelled: " + reason), P(nowMs)))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    cancelled.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
        }

        await ExecuteAsync(connection.Command(PostgresSql.CancelEscalations, tx, P(cancelled.Select(c => c.Id).Prepend(jobId).ToArray())), cancellationToken).ConfigureAwait(false);
        foreach (var (id, flow) in cancelled)
        {
            await ExecuteAsync(EventCommand(connection, tx, new JobEvent(id, FromMs(nowMs), JobEventKind.Cancelled, To: JobStatus.Cancelled, Error: reason)), cancellationToken).ConfigureAwait(false);
            effects.AddCascaded(id, flow);
        }
    }

    private static async Task<(bool Found, JobStatus Status, string? ParentId, string? ParentWaitId)> LockJobAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string jobId, CancellationToken cancellationToken)
    {
        using var command = connection.Command(PostgresSql.LockJob, tx, P(jobId));
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? (true, (JobStatus)reader.GetInt16(0), reader.GetNullableString(1), reader.GetNullableString(2))
                : (false, JobStatus.Pending, null, null);
        }
    }

    private static async Task<int> ExecuteAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
