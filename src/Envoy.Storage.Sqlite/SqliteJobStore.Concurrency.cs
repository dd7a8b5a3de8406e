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
    /// key's running jobs are counted, and the job is inserted claimed when that leaves a slot, else pending and parked (out of
    /// the claim order until its key frees).
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
                var free = JobStateMachine.HasFreeSlot(CountRunningLimited(job.Flow, job.ConcurrencyKey, tx), limit);
                var insert = free ? job : job with { Lease = null };
                if (!InsertJob(insert, tx, parked: !free))
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
    /// or start runs between a count and the updates). First the parked jobs (met earlier with their key full): one statement
    /// (<see cref="SqliteSql.ParkedScopeHeads"/>, one probe when none is parked) lists their scopes, best next job first, and
    /// each is given as many as its free slots. Then the limited jobs in claim order (<see cref="SqliteSql.LimitedInOrder"/>,
    /// priority level by level, as the unlimited claim), read one by one until the claim is full: each whose scope has a free
    /// slot is taken (<see cref="ConcurrencySlots"/>: a scope's running jobs are counted once, when first met), each whose scope
    /// is full is parked, so no later claim reads it again until its scope frees. With limits that do not bind, the claim
    /// reads just the jobs it takes, counts their scopes and writes one update.
    /// </summary>
    private void ClaimLimitedInto(List<JobRecord> claimed, ClaimRequest request, (string Flows, string? Versions) flows, SqliteTransaction tx)
    {
        var slots = new ConcurrencySlots((flow, key) => CountRunningLimited(flow, key, tx));
        ClaimParkedInto(claimed, slots, request, flows, tx);
        List<long>? chosen = null;
        List<long>? parked = null;
        var below = long.MaxValue;
        while (claimed.Count + (chosen?.Count ?? 0) < request.Max
            && Commands.Get(SqliteSql.NextLimitedPriorityLevel, tx).Bind("@below", below).ExecuteScalar() is long level)
        {
            using var reader = Commands.Get(SqliteSql.LimitedInOrder, tx)
                .Bind("@now", request.NowMs)
                .Bind("@flows", flows.Flows)
                .Bind("@flow_versions", flows.Versions)
                .Bind("@priority", level)
                .ExecuteReader();
            while (claimed.Count + (chosen?.Count ?? 0) < request.Max && reader.Read())
            {
                var admitted = slots.TryAdmit(reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
                (admitted ? chosen ??= [] : parked ??= []).Add(reader.GetInt64(0));
            }

            below = level;
        }

        if (parked is not null)
        {
            Commands.Get(SqliteSql.ParkChosen, tx).Bind("@seqs", ToJsonArray(parked)).ExecuteNonQuery();
        }

        if (chosen is not null)
        {
            using var reader = Commands.Get(SqliteSql.ClaimChosen, tx)
                .Bind("@owner", request.Owner)
                .Bind("@until", request.LeaseUntilMs)
                .Bind("@now", request.NowMs)
                .Bind("@seqs", ToJsonArray(chosen))
                .ExecuteReader();
            while (reader.Read())
            {
                claimed.Add(StoreRows.ReadJob(reader));
            }
        }
    }

    /// <summary>Serves the scopes with parked jobs, best next job first, each with as many jobs as its free slots.</summary>
    private void ClaimParkedInto(List<JobRecord> claimed, ConcurrencySlots slots, ClaimRequest request, (string Flows, string? Versions) flows, SqliteTransaction tx)
    {
        List<(string Flow, string Key, int Limit)>? heads = null;
        using (var reader = Commands.Get(SqliteSql.ParkedScopeHeads, tx)
            .Bind("@now", request.NowMs).Bind("@flows", flows.Flows).Bind("@flow_versions", flows.Versions)
            .ExecuteReader())
        {
            while (reader.Read())
            {
                (heads ??= []).Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        foreach (var scope in heads ?? [])
        {
            if (claimed.Count >= request.Max)
            {
                return;
            }

            var free = Math.Min(slots.Free(scope.Flow, scope.Key, scope.Limit), request.Max - claimed.Count);
            if (free == 0)
            {
                continue;
            }

            using var reader = Commands.Get(SqliteSql.ClaimParked, tx)
                .Bind("@owner", request.Owner)
                .Bind("@until", request.LeaseUntilMs)
                .Bind("@now", request.NowMs)
                .Bind("@flow", scope.Flow)
                .Bind("@key", scope.Key)
                .Bind("@flow_versions", flows.Versions)
                .Bind("@max", free)
                .ExecuteReader();
            var before = claimed.Count;
            while (reader.Read())
            {
                claimed.Add(StoreRows.ReadJob(reader));
            }

            slots.Admitted(scope.Flow, scope.Key, claimed.Count - before);
        }
    }

    private int CountRunningLimited(string flow, string key, SqliteTransaction tx) =>
        Convert.ToInt32(
            Commands.Get(SqliteSql.CountRunningLimited, tx).Bind("@flow", flow).Bind("@key", key).ExecuteScalar(),
            System.Globalization.CultureInfo.InvariantCulture);
}
