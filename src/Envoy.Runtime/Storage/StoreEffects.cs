using Envoy.Runtime.Coordination;

namespace Envoy.Runtime;

/// <summary>What a store transaction changed that other schedulers should hear about once it commits.</summary>
public sealed class StoreEffects
{
    /// <summary>Some job became ready to run.</summary>
    public bool Ready { get; set; }

    private readonly List<string> _finished = [];

    /// <summary>Jobs that became terminal.</summary>
    public IReadOnlyList<string> Finished => _finished;

    /// <summary>True when there is something to tell.</summary>
    public bool Any => Ready || _finished.Count > 0;

    /// <summary>Records a job that became terminal.</summary>
    public void AddFinished(string jobId) => _finished.Add(jobId);

    /// <summary>Publishes the effects as signals.</summary>
    public void Publish(IJobSignals signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        if (Ready)
        {
            signals.Publish(new JobSignal(JobSignalKind.Ready));
        }

        foreach (var id in Finished)
        {
            signals.Publish(new JobSignal(JobSignalKind.Finished, id));
        }
    }
}
