namespace Envoy.Runtime.Coordination;

/// <summary>
/// Events between the schedulers of one process (the embedded SQLite store): payloads go to the handlers registered here, and
/// someone listens while a handler is registered.
/// </summary>
public sealed class InProcessEventTransport : IEventTransport
{
    private readonly Lock _gate = new();
    private Action<string>[] _handlers = [];

    /// <inheritdoc />
    public int MaxPayloadBytes => 1 << 20;

    /// <inheritdoc />
    public Task SendAsync(IReadOnlyList<string> payloads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var handlers = Volatile.Read(ref _handlers);
        foreach (var payload in payloads)
        {
            foreach (var handler in handlers)
            {
                handler(payload);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> HasListenersAsync(long nowMs, CancellationToken cancellationToken = default) =>
        Task.FromResult(Volatile.Read(ref _handlers).Length > 0);

    /// <inheritdoc />
    public Task AnnounceListenerAsync(string listenerId, long untilMs, long nowMs, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public Task WithdrawListenerAsync(string listenerId, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public IDisposable OnReceive(Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private void Remove(Action<string> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => !ReferenceEquals(h, handler));
        }
    }

    private sealed class Subscription(InProcessEventTransport owner, Action<string> handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }
}
