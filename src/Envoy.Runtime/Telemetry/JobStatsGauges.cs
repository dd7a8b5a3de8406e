using System.Diagnostics.Metrics;

namespace Envoy;

/// <summary>
/// The observable gauges of the store's jobs: <c>envoy.jobs</c> (by status), <c>envoy.queue.depth</c> and
/// <c>envoy.queue.oldest_pending_age</c>. They report what the started schedulers of this process last read through
/// <see cref="JobStatsSampler"/> (cached: a collection never waits for the store), once per store however many schedulers
/// share it. The callbacks run only when a listener collects, so nothing is read while nobody listens.
/// </summary>
internal static class JobStatsGauges
{
    private static readonly Lock Gate = new();
    private static readonly List<JobStatsSampler> Samplers = [];

    public static void Create(Meter meter)
    {
        meter.CreateObservableGauge("envoy.jobs", ObserveJobs, "{job}", "Jobs in the store by status (counted in the background, a second or two old).");
        meter.CreateObservableGauge("envoy.queue.depth", ObserveDepth, "{job}", "Pending jobs in the store (due now or later).");
        meter.CreateObservableGauge("envoy.queue.oldest_pending_age", ObserveOldest, "s", "How long the pending job due longest ago has waited since it came due (0: none due).");
    }

    /// <summary>Reports the stats of <paramref name="sampler"/>'s store until it is removed.</summary>
    public static void Add(JobStatsSampler sampler)
    {
        EnvoyInstruments.EnsureCreated();
        lock (Gate)
        {
            Samplers.Add(sampler);
        }
    }

    public static void Remove(JobStatsSampler sampler)
    {
        lock (Gate)
        {
            Samplers.Remove(sampler);
        }
    }

    /// <summary>The latest stats of each store (one sampler per store: the first registered), refreshing them in the background.</summary>
    private static List<(string Store, JobStats Stats, DateTimeOffset Now)> Latest()
    {
        var latest = new List<(string, JobStats, DateTimeOffset)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        lock (Gate)
        {
            foreach (var sampler in Samplers)
            {
                if (seen.Add(sampler.Store) && sampler.Sample() is { } stats)
                {
                    latest.Add((sampler.Store, stats, sampler.Now));
                }
            }
        }

        return latest;
    }

    private static IEnumerable<Measurement<long>> ObserveJobs()
    {
        foreach (var (store, stats, _) in Latest())
        {
            foreach (var (status, count) in stats.Counts)
            {
                yield return new Measurement<long>(count, new(EnvoyTelemetry.StatusTag, StatusName(status)), new("envoy.store", store));
            }
        }
    }

    private static IEnumerable<Measurement<long>> ObserveDepth()
    {
        foreach (var (store, stats, _) in Latest())
        {
            yield return new Measurement<long>(stats.Counts.TryGetValue(JobStatus.Pending, out var pending) ? pending : 0, new KeyValuePair<string, object?>("envoy.store", store));
        }
    }

    private static IEnumerable<Measurement<double>> ObserveOldest()
    {
        foreach (var (store, stats, now) in Latest())
        {
            var age = stats.OldestPendingAt is { } oldest && oldest < now ? (now - oldest).TotalSeconds : 0;
            yield return new Measurement<double>(age, new KeyValuePair<string, object?>("envoy.store", store));
        }
    }

    internal static string StatusName(JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Running => "running",
        JobStatus.Blocking => "blocking",
        JobStatus.Done => "done",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => "unknown",
    };
}
