using Envoy.Runtime.StateMachine;
using Envoy.Runtime.Storage;
using Microsoft.Data.Sqlite;

namespace Envoy.Storage.Sqlite;

public sealed partial class SqliteJobStore
{
    /// <inheritdoc />
    public Task<int> CountRunningLimitedAsync(string flow, string concurrencyKey, CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = NewCommand(connection, SqliteSql.CountRunningLimited).Bind("@flow", flow).Bind("@key", concurrencyKey);
                return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// In one write transaction (SQLite's one writer: no claim or other start runs between the count and the insert): the
    /// key's running jobs are counted, and the job is inserted claimed when that leaves a slot, else pending.
    /// </remarks>
    public Task<CreatedJob> CreateLimitedJobAsync(NewJob job, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Lease is null || job.ConcurrencyLimit is not { } limit)
        {
            throw new ArgumentException("A limited eager start needs a lease and a concurrency limit.", nameof(job));
        }

        var effects = new StoreEffects();
        return WriteAsync(
            tx =>
            {
                var running = Convert.ToInt32(
                    Commands.Get(SqliteSql.CountRunningLimited, tx).Bind("@flow", job.Flow).Bind("@key", job.ConcurrencyKey).ExecuteScalar(),
                    System.Globalization.CultureInfo.InvariantCulture);
                var insert = JobStateMachine.HasFreeSlot(running, limit) ? job : job with { Lease = null };
                if (!InsertJob(insert, tx))
                {
                    return new CreatedJob((string)Commands.Get(SqliteSql.JobIdByKey, tx).Bind("@key", job.IdempotencyKey).ExecuteScalar()!, Started: false);
                }

                foreach (var entry in insert.Events)
                {
                    InsertEvent(entry, tx);
                }

                // Inserted pending: its key is full, but another worker hears of it as of any new job.
                effects.Ready |= insert.Lease is null;
                return new CreatedJob(job.Id, insert.Lease is not null);
            },
            effects,
            cancellationToken);
    }

    /// <summary>
    /// Claims due pending jobs with a concurrency limit, in the claim's write transaction (SQLite's one writer: no other claim
    /// or start runs between the count and the update). One statement (<see cref="SqliteSql.LimitedScopeHeads"/>) lists the
    /// (flow, key) scopes of the claimer's flows with a due job (of a version it has), best next job first; they are served in
    /// that order, each counted when its turn comes and given as many jobs as its free slots (the next job's limit − its
    /// running jobs), until the claim is full: with limits that do not bind, the first scope's count is the only one. With no
    /// limited pending job the statement is one index probe.
    /// </summary>
    private void ClaimLimitedInto(List<JobRecord> claimed, ClaimRequest request, (string Flows, string? Versions) flows, SqliteTransaction tx)
    {
        List<(string Flow, string Key, int Limit)>? heads = null;
        using (var reader = Commands.Get(SqliteSql.LimitedScopeHeads, tx)
            .Bind("@now", request.NowMs).Bind("@flows", flows.Flows).Bind("@flow_versions", flows.Versions)
            .ExecuteReader())
        {
            while (reader.Read())
            {
                (heads ??= []).Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        if (heads is null)
        {
            return;
        }

        foreach (var scope in heads)
        {
            if (claimed.Count >= request.Max)
            {
                return;
            }

            var running = Convert.ToInt32(
                Commands.Get(SqliteSql.CountRunningLimited, tx).Bind("@flow", scope.Flow).Bind("@key", scope.Key).ExecuteScalar(),
                System.Globalization.CultureInfo.InvariantCulture);
            if (!JobStateMachine.HasFreeSlot(running, scope.Limit))
            {
                continue;
            }

            using var reader = Commands.Get(SqliteSql.ClaimLimited, tx)
                .Bind("@owner", request.Owner)
                .Bind("@until", request.LeaseUntilMs)
                .Bind("@now", request.NowMs)
                .Bind("@flow", scope.Flow)
                .Bind("@key", scope.Key)
                .Bind("@flow_versions", flows.Versions)
                .Bind("@max", Math.Min(scope.Limit - running, request.Max - claimed.Count))
                .ExecuteReader();
            while (reader.Read())
            {
                claimed.Add(StoreRows.ReadJob(reader));
            }
        }
    }
}
