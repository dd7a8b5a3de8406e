using Envoy.Runtime.Storage;
using static Envoy.Storage.Postgres.PostgresParameters;

namespace Envoy.Storage.Postgres;

/// <summary>Retention: the purge of finished jobs past their retention, and the unfinished jobs past their flow's maximum age.</summary>
public sealed partial class PostgresJobStore
{
    /// <inheritdoc />
    public Task<PurgeResult> PurgeJobsAsync(RetentionCutoffs cutoffs, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (cutoffs.KeepsEverything)
        {
            return Task.FromResult(PurgeResult.None);
        }

        var flows = cutoffs.FlowBeforeMs.Keys.ToArray();
        var befores = flows.Select(cutoffs.BeforeMsOf).ToArray();
        return TransactAsync(
            async (connection, tx, effects) =>
            {
                using var command = connection.Command(
                    PostgresSql.PurgeJobs, tx, P(flows), P(befores), P(cutoffs.LatestBeforeMs), P(cutoffs.DefaultBeforeMs ?? RetentionCutoffs.Never), P(limit));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return new PurgeResult(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<AgedJob>> FindAgedJobsAsync(string flow, long createdBeforeMs, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return ReadAsync<IReadOnlyList<AgedJob>>(
            async connection =>
            {
                using var command = connection.Command(PostgresSql.AgedJobs, null, P(flow), P(createdBeforeMs), P(limit));
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var jobs = new List<AgedJob>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        jobs.Add(new AgedJob(reader.GetString(0), reader.GetInt64(1)));
                    }

                    return jobs;
                }
            },
            cancellationToken);
    }
}
