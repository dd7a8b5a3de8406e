namespace Envoy.Runtime.Execution;

/// <summary>
/// Warns about pending jobs that this scheduler never runs because their flow is not registered here: claims only ask for
/// registered flows, so such jobs would otherwise wait silently (a worker that lacks a flow, a typo in a flow name, a flow
/// removed from the code). Every <see cref="CheckInterval"/> it looks for jobs pending longer than <see cref="PendingFor"/>,
/// and warns once per flow per <see cref="WarnEvery"/>. Another process may serve the flow: the warning says so. A scheduler
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
            ExcludeFlows = names,
            CreatedBefore = JobMapper.FromMs(now - (long)PendingFor.TotalMilliseconds),
            Limit = Sample,
        };
        var jobs = await services.Queries.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        foreach (var flow in jobs.GroupBy(j => j.Flow, StringComparer.Ordinal))
        {
            if (_warnedAt.TryGetValue(flow.Key, out var at) && now - at < (long)WarnEvery.TotalMilliseconds)
            {
                continue;
            }

            _warnedAt[flow.Key] = now;
            var count = flow.Count();
            RuntimeLog.UnservedJobs(services.Logger, count >= Sample ? Sample + "+" : count.ToString(System.Globalization.CultureInfo.InvariantCulture), flow.Key, PendingFor, services.WorkerId, flow.First().Id);
        }
    }
}
