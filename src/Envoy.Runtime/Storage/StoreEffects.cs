using Envoy.Runtime.Coordination;

namespace Envoy.Runtime.Storage;

/// <summary>What a store transaction changed that other schedulers should hear about once it commits.</summary>
public sealed class StoreEffects
{
    /// <summary>Some job became ready to run.</summary>
    public bool Ready { get; set; }

    private readonly List<string> _finished = [];
    private List<CachedJobStatus>? _statuses;
    private List<string>? _unknown;

    /// <summary>Set by a store with a status cache: the statuses this transaction wrote are recorded for it.</summary>
    public bool TrackStatuses { get; init; }

    /// <summary>The statuses (with versions) this transaction wrote, when tracked.</summary>
    public IReadOnlyList<CachedJobStatus> Statuses => _statuses ?? (IReadOnlyList<CachedJobStatus>)[];

    /// <summary>
    /// The jobs this transaction changed without knowing their new status and version (finished or cancelled descendants,
    /// unblocked jobs), when tracked; <see cref="Finished"/> jobs without an entry in <see cref="Statuses"/> are included.
    /// </summary>
    public IReadOnlyList<string> UnknownStatuses
    {
        get
        {
            if (!TrackStatuses || (_unknown is null && _finished.Count == 0))
            {
                return [];
            }

            var known = Statuses.Select(s => s.JobId).ToHashSet(StringComparer.Ordinal);
            return [.. _unknown ?? [], .. _finished.Where(id => !known.Contains(id))];
        }
    }

    /// <summary>Records that the transaction wrote <paramref name="status"/> at <paramref name="version"/> (when tracked).</summary>
    public void StatusWritten(string jobId, JobStatus status, long version)
    {
        if (TrackStatuses)
        {
            (_statuses ??= []).Add(new CachedJobStatus(jobId, status, version));
        }
    }

    /// <summary>Records that the transaction may have changed the job's status (when tracked).</summary>
    public void StatusChanged(string jobId)
    {
        if (TrackStatuses)
        {
            (_unknown ??= []).Add(jobId);
        }
    }

    /// <summary>Jobs that became terminal.</summary>
    public IReadOnlyList<string> Finished => _finished;

    /// <summary>True when there is something to tell.</summary>
    public bool Any => Ready || _finished.Count > 0;

    /// <summary>Records a job that became terminal.</summary>
    public void AddFinished(string jobId) => _finished.Add(jobId);

    private List<CascadedJob>? _cascaded;

    /// <summary>The descendants cancelled because an ancestor ended, in this transaction; null when none.</summary>
    public IReadOnlyList<CascadedJob>? Cascaded => _cascaded;

    /// <summary>How many descendants were recorded as cancelled so far: a mark for <see cref="CascadedSince"/>.</summary>
    public int CascadedCount => _cascaded?.Count ?? 0;

    /// <summary>The descendants recorded after <paramref name="mark"/> (a <see cref="CascadedCount"/>), or null when none.</summary>
    public IReadOnlyList<CascadedJob>? CascadedSince(int mark) =>
        _cascaded is { } all && all.Count > mark ? all.GetRange(mark, all.Count - mark) : null;

    /// <summary>Records a descendant cancelled because an ancestor ended (it is also <see cref="Finished"/>).</summary>
    public void AddCascaded(string jobId, string flow)
    {
        (_cascaded ??= []).Add(new CascadedJob(jobId, flow));
        _finished.Add(jobId);
    }

    /// <summary>Publishes the effects as signals.</summary>
    public void Publish(IJobSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        if (!Any)
        {
            return;
        }

        var all = new List<JobSignal>(_finished.Count + 1);
        if (Ready)
        {
            all.Add(new JobSignal(JobSignalKind.Ready));
        }

        foreach (var id in Finished)
        {
            all.Add(new JobSignal(JobSignalKind.Finished, id));
        }

        signals.Publish(all);
    }
}
