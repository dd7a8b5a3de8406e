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
    /// or start runs between the count and the update). One statement (<see cref="SqliteSql.OpenLimitedScopes"/>) finds the
    /// (flow, key) scopes of the claimer's flows whose next due job (of a version it has) has a free slot, best next job first;
    /// each is served in that order with as many jobs as its free slots (the next job's limit − its running jobs), until the
    /// claim is full. With no limited pending job that statement is one index probe.
    /// </summary>
    private void ClaimLimitedInto(List<JobRecord> claimed, ClaimRequest request, (string Flows, string? Versions) flows, SqliteTransaction tx)
    {
        List<(string Flow, string Key, int Free)>? open = null;
        using (var reader = Commands.Get(SqliteSql.OpenLimitedScopes, tx)
            .Bind("@now", request.NowMs).Bind("@flows", flows.Flows).Bind("@flow_versions", flows.Versions)
            .ExecuteReader())
        {
            while (reader.Read())
            {
                (open ??= []).Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        if (open is null)
        {
            return;
        }

        foreach (var scope in open)
        {
            var max = Math.Min(scope.Free, request.Max - claimed.Count);
            if (max <= 0)
            {
                break;
            }

            using var reader = Commands.Get(SqliteSql.ClaimLimited, tx)
                .Bind("@owner", request.Owner)
                .Bind("@until", request.LeaseUntilMs)
                .Bind("@now", request.NowMs)
                .Bind("@flow", scope.Flow)
                .Bind("@key", scope.Key)
                .Bind("@flow_versions", flows.Versions)
                .Bind("@max", max)
                .ExecuteReader();
            while (reader.Read())
            {
                claimed.Add(StoreRows.ReadJob(reader));
            }
        }
    }
}
