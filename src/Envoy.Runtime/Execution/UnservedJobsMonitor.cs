using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Warns about pending jobs that no live worker on the store runs because no live worker has their flow, or their flow's
/// version (the store's registry of live workers, <see cref="LiveWorkers"/>): claims only ask for a worker's own (flow, version)
/// pairs, so such jobs would otherwise wait silently (every worker lacks a flow, a typo in a flow name, a version retired by a
/// deploy while jobs were still on it). The maintenance leader runs it: every <see cref="CheckInterval"/> it looks for jobs
/// pending longer than <see cref="PendingFor"/>, and warns once per flow and version while they stay unserved (again after
/// they were served, or had no such job, at a check in between). <c>ListUnservedJobsAsync</c> lists such jobs on demand.
/// </summary>
internal sealed class UnservedJobsMonitor(RuntimeServices services)
{
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan PendingFor = TimeSpan.FromMinutes(1);
    private const int Sample = 1000;

    private HashSet<string> _warned = new(StringComparer.Ordinal);
    private long _nextCheckMs = long.MinValue;

    /// <summary>Looks (at most once per <see cref="CheckInterval"/>) and warns about flow versions newly unserved.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = services.NowMs;
        if (now < _nextCheckMs)
        {
            return;
        }

        _nextCheckMs = now + (long)CheckInterval.TotalMilliseconds;
        var served = await LiveWorkers.ServedAsync(services, includeOwn: true, cancellationToken).ConfigureAwait(false);
        var query = new JobQuery
        {
            Status = JobStatus.Pending,
            ExcludeFlowVersions = served,
            CreatedBefore = JobMapper.FromMs(now - (long)PendingFor.TotalMilliseconds),
            Limit = Sample,
        };
        var jobs = await services.Queries.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        var unserved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in jobs.GroupBy(j => FlowVersionKey.Of(j.Flow, j.FlowVersion ?? string.Empty), StringComparer.Ordinal))
        {
            unserved.Add(group.Key);
            if (_warned.Contains(group.Key))
            {
                continue;
            }

            var first = group.First();
            var count = group.Count();
            var counted = count >= Sample ? Sample + "+" : count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var versions = served.Where(p => string.Equals(p.Flow, first.Flow, StringComparison.Ordinal)).Select(p => p.Version).Order(StringComparer.Ordinal).ToList();
            if (versions.Count == 0)
            {
                RuntimeLog.UnservedFlow(services.Logger, counted, first.Flow, PendingFor, first.Id);
            }
            else
            {
                RuntimeLog.UnservedFlowVersion(services.Logger, counted, first.Flow, first.FlowVersion ?? string.Empty, PendingFor, string.Join(", ", versions), first.Id);
            }
        }

        // Forgotten once no longer unserved: a flow version that is unserved again later is warned about again.
        _warned = unserved;
    }
}
