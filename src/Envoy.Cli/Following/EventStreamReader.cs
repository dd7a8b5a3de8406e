using System.Text;

namespace Envoy.Cli.Following;

/// <summary>
/// Reads a <c>text/event-stream</c> body event by event (the HTML standard's format): <c>event:</c>, <c>data:</c> (several
/// lines joined with new lines) and <c>id:</c> fields, a blank line ending each event, comments (<c>:</c>) skipped.
/// </summary>
internal sealed class EventStreamReader
{
    private readonly TextReader _reader;

    /// <summary>Reads events from <paramref name="reader"/>.</summary>
    public EventStreamReader(TextReader reader) => _reader = reader;

    /// <summary>The next event, or null when the stream ended.</summary>
    public async Task<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        string? id = null;
        var data = new StringBuilder();
        var hasData = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (hasData || name is not null)
                {
                    return new ServerSentEvent(name ?? "message", data.ToString(), id);
                }

                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    name = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "id":
                    id = value;
                    break;
                default:
                    break;
            }
        }
    }
}
