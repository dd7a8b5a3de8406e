using Envoy.Runtime.Coordination;

namespace Envoy.Storage.Sqlite;

/// <summary>What a transaction changed that others should hear about once it commits.</summary>
internal sealed class StoreEffects
{
    public bool Ready { get; set; }

    public List<string> Finished { get; } = [];

    public void Publish(IJobSignals signals)
    {
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
