namespace Envoy.Runtime.Coordination;

/// <summary>Signals between schedulers of one process: a list of subscribers called synchronously.</summary>
public sealed class InProcessSignals : IJobSignals
{
    private readonly Lock _gate = new();
    private Action<JobSignal>[] _handlers = [];

    /// <inheritdoc />
    public void Publish(JobSignal signal)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            handler(signal);
        }
    }

    /// <inheritdoc />
    public IDisposable Subscribe(Action<JobSignal> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    private void Unsubscribe(Action<JobSignal> handler)
    {
        lock (_gate)
        {
            _handlers = Array.FindAll(_handlers, h => !ReferenceEquals(h, handler));
        }
    }

    private sealed class Subscription(InProcessSignals owner, Action<JobSignal> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}
