using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Events;

/// <summary>
/// One connected client: its bounded queue of events (replayed ones first, then live ones, already filtered), and the stream
/// of SSE items its response writes. When the queue overflows the client is dropped: its stream ends, so one slow client
/// never holds up the others (it reconnects with <c>Last-Event-ID</c> and catches up from the replay buffer).
/// </summary>
internal sealed class EventStreamClient
{
    private readonly Channel<EventStreamItem> _queue;

    public EventStreamClient(string? jobId, int capacity)
    {
        JobId = jobId;
        _queue = Channel.CreateBounded<EventStreamItem>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The job this client follows, or null for every job.</summary>
    public string? JobId { get; }

    /// <summary>Whether the client was dropped for falling behind.</summary>
    public bool Overflowed { get; private set; }

    public bool Wants(EventStreamItem item) => JobId is null || string.Equals(JobId, item.JobId, StringComparison.Ordinal);

    /// <summary>Queues an event for this client (never blocks); false when the client fell behind and was dropped.</summary>
    public bool Post(EventStreamItem item)
    {
        if (_queue.Writer.TryWrite(item))
        {
            return true;
        }

        Overflowed = true;
        _queue.Writer.TryComplete();
        return false;
    }

    /// <summary>No more events: the stream ends after those queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// The client's SSE items, for <c>TypedResults.ServerSentEvents</c>. Before the first item it flushes the response headers
    /// (the result has set them by then), and while no event comes for <paramref name="keepAlive"/> it writes a <c>:</c>
    /// comment between items: the formatter writes each item whole and is waiting on this stream meanwhile.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(
        HttpResponse response, TimeSpan keepAlive, TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        var reader = _queue.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                yield return new SseItem<string>(item.Data, item.Kind) { EventId = item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }

            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var ready = reader.WaitToReadAsync(idle.Token).AsTask();
            var timer = Task.Delay(keepAlive, time, idle.Token);
            var first = await Task.WhenAny(ready, timer).ConfigureAwait(false);
            await idle.CancelAsync().ConfigureAwait(false);
            if (first == ready)
            {
                if (!await ready.ConfigureAwait(false))
                {
                    yield break; // completed: the app stops, or this client fell behind
                }
            }
            else
            {
                cancellationToken.ThrowIfCancellationRequested();
                await response.Body.WriteAsync(":\n\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
