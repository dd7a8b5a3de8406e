namespace Envoy.Runtime.Coordination;

/// <summary>Carries signals to other processes (Redis pub/sub, for example). Delivery is best effort: signals are hints.</summary>
public interface ISignalTransport : IAsyncDisposable
{
    /// <summary>Sends a signal to the other processes (not back to this one).</summary>
    void Broadcast(JobSignal signal);

    /// <summary>Calls <paramref name="handler"/> for each signal received from another process.</summary>
    IDisposable OnReceive(Action<JobSignal> handler);
}
