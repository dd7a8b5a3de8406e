using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Envoy.Runtime.Execution;

/// <summary>The in-process event stream: observers are called in order; async readers get a bounded channel each.</summary>
internal sealed class SchedulerEventHub : IObservable<SchedulerEvent>
{
    private const int ReaderCapacity = 10_000;
    private readonly Lock _gate = new();
    private IObserver<SchedulerEvent>[] _observers = [];

    public bool HasObservers => Volatile.Read(ref _observers).Length > 0;

    public void Publish(SchedulerEvent e)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            try
            {
                observer.OnNext(e);
            }
#pragma warning disable CA1031 // A failing observer must not break the worker that raised the event.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Observers are user code; their failures are theirs.
            }
        }
    }

    public IDisposable Subscribe(IObserver<SchedulerEvent> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            _observers = [.. _observers, observer];
        }

        return new Unsubscriber(this, observer);
    }

    public async IAsyncEnumerable<SchedulerEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<SchedulerEvent>(new BoundedChannelOptions(ReaderCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        using var subscription = Subscribe(new ChannelObserver(channel.Writer));
        while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (channel.Reader.TryRead(out var e))
            {
                yield return e;
            }
        }
    }

    public void Complete()
    {
        IObserver<SchedulerEvent>[] observers;
        lock (_gate)
        {
            observers = _observers;
            _observers = [];
        }

        foreach (var observer in observers)
        {
            observer.OnCompleted();
        }
    }

    private void Unsubscribe(IObserver<SchedulerEvent> observer)
    {
        lock (_gate)
        {
            _observers = Array.FindAll(_observers, o => !ReferenceEquals(o, observer));
        }
    }

    private sealed class Unsubscriber(SchedulerEventHub hub, IObserver<SchedulerEvent> observer) : IDisposable
    {
        public void Dispose() => hub.Unsubscribe(observer);
    }

    private sealed class ChannelObserver(ChannelWriter<SchedulerEvent> writer) : IObserver<SchedulerEvent>
    {
        public void OnCompleted() => writer.TryComplete();

        public void OnError(Exception error) => writer.TryComplete(error);

        public void OnNext(SchedulerEvent value) => writer.TryWrite(value);
    }
}
