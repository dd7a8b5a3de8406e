using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Fills <see cref="Job.WaitingReason"/> of jobs read for a caller: a due pending job whose (flow, key) already runs as many
/// jobs as its concurrency limit allows is held by that limit. Each (flow, key) is counted once per call, and only for such
/// jobs: reading unlimited jobs costs nothing more.
/// </summary>
internal static class WaitingReasons
{
    /// <summary>The reason of a job held by its concurrency limit.</summary>
    public static string ConcurrencyLimit(int running, int limit, string key) =>
        key.Length == 0
            ? $"concurrency limit: {running} of {limit} running for the flow (no key)"
            : $"concurrency limit: {running} of {limit} running for key '{key}'";

    /// <summary>
    /// <paramref name="jobs"/> (mapped from <paramref name="records"/>, in the same order) with the waiting reasons of the
    /// held ones.
    /// </summary>
    public static async Task<IReadOnlyList<Job>> FillAsync(List<Job> jobs, IReadOnlyList<JobRecord> records, IJobQueryStore queries, long nowMs, CancellationToken cancellationToken)
    {
        Dictionary<(string Flow, string Key), int>? running = null;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record is not { Status: JobStatus.Pending, ConcurrencyLimit: { } limit } || record.RunAtMs > nowMs)
            {
                continue;
            }

            running ??= [];
            var scope = (record.Flow, record.ConcurrencyKey);
            if (!running.TryGetValue(scope, out var count))
            {
                count = await queries.CountRunningLimitedAsync(record.Flow, record.ConcurrencyKey, cancellationToken).ConfigureAwait(false);
                running[scope] = count;
            }

            if (count >= limit)
            {
                jobs[i] = jobs[i] with { WaitingReason = ConcurrencyLimit(count, limit, record.ConcurrencyKey) };
            }
        }

        return jobs;
    }
}
