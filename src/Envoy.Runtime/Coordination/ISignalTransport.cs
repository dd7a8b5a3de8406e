namespace Envoy.Runtime.Coordination;

/// <summary>Carries signals to other processes (Redis pub/sub, for example). Delivery is best effort: signals are hints.</summary>
public interface ISignalTransport : IAsyncDisposable
{
    /// <summary>Sends a signal to the other processes (not back to this one).</summary>
    void Broadcast(JobSignal signal);

    /// <summary>
    /// Sends the signals of one transaction to the other processes. A transport that can should send them as one message;
    /// by default each is sent alone.
    /// </summary>
    void Broadcast(IReadOnlyList<JobSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        foreach (var signal in signals)
        {
            Broadcast(signal);
        }
    }

    /// <summary>Calls <paramref name="handler"/> for each signal received from another process.</summary>
    IDisposable OnReceive(Action<JobSignal> handler);
}
