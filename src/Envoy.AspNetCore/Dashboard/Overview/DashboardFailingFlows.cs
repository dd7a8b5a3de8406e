namespace Envoy.AspNetCore.Dashboard.Overview;

/// <summary>
/// The overview's "flows failing most": the latest <see cref="Sample"/> failed jobs (one indexed page of the store's list,
/// newest first) grouped by flow. The figure is cached: a call answers the last one at once and, when it is older than
/// <see cref="MaxAge"/>, starts one refresh in the background (at most one at a time); only the very first call waits. So a
/// page view never scans the jobs table, however many jobs it holds.
/// </summary>
internal sealed class DashboardFailingFlows
{
    /// <summary>How many of the newest failed jobs are looked at.</summary>
    public const int Sample = 1000;

    /// <summary>How old the figure may get before a call refreshes it.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly Scheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private FailingFlows? _last;
    private Task<FailingFlows>? _refresh;

    public DashboardFailingFlows(Scheduler scheduler, TimeProvider time)
    {
        _scheduler = scheduler;
        _time = time;
    }

    /// <summary>The last figure (refreshed in the background when stale; the first call waits for it).</summary>
    public async Task<FailingFlows> GetAsync(CancellationToken cancellationToken)
    {
        Task<FailingFlows>? first = null;
        lock (_gate)
        {
            if (_last is null || _time.GetUtcNow() - _last.CountedAt > MaxAge)
            {
                _refresh ??= RefreshAsync();
                first = _last is null ? _refresh : null;
            }

            if (first is null)
            {
                return _last!;
            }
        }

        return await first.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<FailingFlows> RefreshAsync()
    {
        await Task.Yield();
        try
        {
            var now = _time.GetUtcNow();
            var failed = await _scheduler.ListJobsAsync(new JobQuery { Status = JobStatus.Failed, Limit = Sample }, CancellationToken.None).ConfigureAwait(false);
            var dayAgo = now - TimeSpan.FromDays(1);
            var flows = failed
                .GroupBy(j => j.Flow, StringComparer.Ordinal)
                .Select(g => new FailingFlow(g.Key, g.Count(), g.Count(j => (j.FinishedAt ?? j.UpdatedAt) >= dayAgo), g.Max(j => j.FinishedAt ?? j.UpdatedAt)))
                .OrderByDescending(f => f.Count)
                .ThenBy(f => f.Flow, StringComparer.Ordinal)
                .Take(5)
                .ToList();
            var result = new FailingFlows(flows, failed.Count, failed.Count == Sample, now);
            lock (_gate)
            {
                _last = result;
            }

            return result;
        }
        finally
        {
            lock (_gate)
            {
                _refresh = null;
            }
        }
    }
}

/// <summary>The flows failing most among the newest failed jobs.</summary>
/// <param name="Flows">The five flows with the most failed jobs in the sample, most first.</param>
/// <param name="Looked">How many failed jobs were looked at.</param>
/// <param name="Capped">Whether there may be more failed jobs than were looked at (the sample was full).</param>
/// <param name="CountedAt">When the figure was made.</param>
public sealed record FailingFlows(IReadOnlyList<FailingFlow> Flows, int Looked, bool Capped, DateTimeOffset CountedAt);

/// <summary>One flow's failed jobs in the sample.</summary>
/// <param name="Flow">The flow.</param>
/// <param name="Count">Its failed jobs in the sample.</param>
/// <param name="LastDay">Of which failed in the last 24 hours.</param>
/// <param name="LastFailedAt">When the latest of them failed.</param>
public sealed record FailingFlow(string Flow, int Count, int LastDay, DateTimeOffset LastFailedAt);
