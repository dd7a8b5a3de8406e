using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Warns about pending jobs that this scheduler never runs because their flow, or their flow's version, is not registered
/// here: claims only ask for registered (flow, version) pairs, so such jobs would otherwise wait silently (a worker that lacks a flow, a typo in a flow name, a flow
/// removed from the code). Every <see cref="CheckInterval"/> it looks for jobs pending longer than <see cref="PendingFor"/>,
/// and warns once per flow and version per <see cref="WarnEvery"/>. Another process may serve the flow: the warning says so. A scheduler
/// with no flow at all (an API-only process) never warns. <c>ListUnservedJobsAsync</c> lists such jobs on demand.
/// </summary>
internal sealed class UnservedJobsMonitor(RuntimeServices services)
{
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan PendingFor = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(15);
    private const int Sample = 1000;

    private readonly Dictionary<string, long> _warnedAt = new(StringComparer.Ordinal);
    private long _nextCheckMs = long.MinValue;

    /// <summary>Looks (at most once per <see cref="CheckInterval"/>) and warns about flows not warned of lately.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = services.NowMs;
        var names = services.Flows.Names;
        if (now < _nextCheckMs || names.Count == 0)
        {
            return;
        }

        _nextCheckMs = now + (long)CheckInterval.TotalMilliseconds;
        var query = new JobQuery
        {
            Status = JobStatus.Pending,
            ExcludeFlowVersions = services.Flows.Pairs,
            CreatedBefore = JobMapper.FromMs(now - (long)PendingFor.TotalMilliseconds),
            Limit = Sample,
        };
        var jobs = await services.Queries.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        foreach (var group in jobs.GroupBy(j => FlowVersionKey.Of(j.Flow, j.FlowVersion ?? string.Empty), StringComparer.Ordinal))
        {
            if (_warnedAt.TryGetValue(group.Key, out var at) && now - at < (long)WarnEvery.TotalMilliseconds)
            {
                continue;
            }

            _warnedAt[group.Key] = now;
            var first = group.First();
            var count = group.Count();
            var counted = count >= Sample ? Sample + "+" : count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var versions = services.Flows.VersionsOf(first.Flow);
            if (versions.Count == 0)
            {
                RuntimeLog.UnservedJobs(services.Logger, counted, first.Flow, PendingFor, services.WorkerId, first.Id);
            }
            else
            {
                RuntimeLog.UnservedFlowVersion(services.Logger, counted, first.Flow, first.FlowVersion ?? string.Empty, PendingFor, services.WorkerId, string.Join(", ", versions), first.Id);
            }
        }
    }
}
