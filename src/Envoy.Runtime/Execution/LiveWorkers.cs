namespace Envoy.Runtime.Execution;

/// <summary>
/// What the live workers of the store serve, from its registry (<see cref="Storage.IWorkerRegistryStore"/>): the measure of
/// "unserved" for <c>ListUnservedJobsAsync</c>, the HTTP API and <see cref="UnservedJobsMonitor"/>. A started scheduler counts
/// its own pairs too (it is live whether or not its latest heartbeat reached the store yet).
/// </summary>
internal static class LiveWorkers
{
    /// <summary>The live workers now.</summary>
    public static async Task<IReadOnlyList<WorkerInfo>> ListAsync(RuntimeServices services, CancellationToken cancellationToken)
    {
        var rows = await services.Store.ListWorkersAsync(services.NowMs, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new WorkerInfo(r.Id, r.Host, r.ProcessId, JobMapper.FromMs(r.StartedAtMs), JobMapper.FromMs(r.LastSeenAtMs), r.Flows))];
    }

    /// <summary>Every (flow, version) pair some live worker serves; with <paramref name="includeOwn"/>, this scheduler's too.</summary>
    public static async Task<IReadOnlyCollection<FlowVersion>> ServedAsync(RuntimeServices services, bool includeOwn, CancellationToken cancellationToken)
    {
        var rows = await services.Store.ListWorkersAsync(services.NowMs, cancellationToken).ConfigureAwait(false);
        var pairs = new HashSet<FlowVersion>(rows.SelectMany(r => r.Flows));
        if (includeOwn)
        {
            pairs.UnionWith(services.Flows.Pairs);
        }

        return pairs;
    }
}
