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

    /// <summary>
    /// Tells the transport which store it serves, once the store knows its identity (when it initializes, before its first
    /// broadcast): a transport on a server shared by many apps (one Redis) then carries this store's signals, and keeps its
    /// keys, apart from every other store's. Every process of one store gets the same <paramref name="storeId"/>. By default
    /// nothing changes.
    /// </summary>
    void BindToStore(string storeId)
    {
    }
}
