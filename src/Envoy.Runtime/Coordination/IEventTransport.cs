namespace Envoy.Runtime.Coordination;

/// <summary>
/// Carries scheduler events between the processes of one store (PostgreSQL <c>NOTIFY</c>, Redis pub/sub, or in-process), for
/// the store-wide event feed (<c>Scheduler.StoreEvents</c>). Best effort: a payload sent while a listener is disconnected is
/// lost to it. Listeners announce themselves so that publishers send nothing while nobody listens.
/// </summary>
public interface IEventTransport
{
    /// <summary>The largest payload one message may carry, in UTF-8 bytes (publishers split larger batches).</summary>
    int MaxPayloadBytes { get; }

    /// <summary>Sends each payload as one message to the receivers of every process (this one's included).</summary>
    Task SendAsync(IReadOnlyList<string> payloads, CancellationToken cancellationToken = default);

    /// <summary>Whether some process listens now: a listener announced itself until after <paramref name="nowMs"/>.</summary>
    Task<bool> HasListenersAsync(long nowMs, CancellationToken cancellationToken = default);

    /// <summary>Announces (or renews) the listener <paramref name="listenerId"/> until <paramref name="untilMs"/> (Unix milliseconds).</summary>
    Task AnnounceListenerAsync(string listenerId, long untilMs, long nowMs, CancellationToken cancellationToken = default);

    /// <summary>Withdraws the listener <paramref name="listenerId"/> at once (else its announcement simply expires).</summary>
    Task WithdrawListenerAsync(string listenerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls <paramref name="handler"/> for each payload received, from every process, until the returned handle is disposed.
    /// A transport may hold a connection open only while some handler is registered. Handlers must be quick.
    /// </summary>
    IDisposable OnReceive(Action<string> handler);
}
