using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Envoy.AspNetCore.Tests.Events;

/// <summary>One message of an SSE stream: an event (with its type, id and data) or a <c>:</c> comment.</summary>
public sealed record SseMessage(string? Event, string? Id, string Data, bool IsComment)
{
    public long IdNumber() => long.Parse(Id!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Reads an SSE response line by line, comments included (a parser would hide them), on a background task into a queue, so
/// that waiting with a timeout never cuts a read in half.
/// </summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly Channel<SseMessage> _messages = Channel.CreateUnbounded<SseMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
        _reading = Task.Run(ReadAllAsync);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream and returns once its headers came (the server has registered the client by then).</summary>
    public static async Task<SseClient> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var headers = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        var stream = await response.Content.ReadAsStreamAsync();
        return new SseClient(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>The next message, or null when the stream ended or none came within <paramref name="timeout"/>.</summary>
    public async Task<SseMessage?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _messages.Reader.WaitToReadAsync(cts.Token) && _messages.Reader.TryRead(out var message) ? message : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Events (comments skipped) until one matches <paramref name="last"/>, which is included.</summary>
    public async Task<List<SseMessage>> ReadUntilAsync(Func<SseMessage, bool> last, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var events = new List<SseMessage>();
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var message = left > TimeSpan.Zero ? await NextAsync(left) : null;
            if (message is null)
            {
                throw new TimeoutException($"No matching event within {timeout} (or the stream ended); got {events.Count}: {string.Join(" | ", events.Select(e => e.Event + " " + e.Data))}");
            }

            if (message.IsComment)
            {
                continue;
            }

            events.Add(message);
            if (last(message))
            {
                return events;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
#pragma warning disable VSTHRD003 // Started by this client.
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
        _reader.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAllAsync()
    {
        try
        {
            string? type = null;
            string? id = null;
            var data = new StringBuilder();
            var comment = false;
            var any = false;
            while (await _reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (any)
                    {
                        _messages.Writer.TryWrite(new SseMessage(type, id, data.ToString(), comment));
                    }

                    (type, id, comment, any) = (null, null, false, false);
                    data.Clear();
                    continue;
                }

                any = true;
                if (line.StartsWith(':'))
                {
                    comment = true;
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "event": type = value; break;
                    case "id": id = value; break;
                    case "data": data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value); break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
            // the test closed it, or the server ended it
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }
}
