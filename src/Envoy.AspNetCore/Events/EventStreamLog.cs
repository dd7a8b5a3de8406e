using Microsoft.Extensions.Logging;

namespace Envoy.AspNetCore.Events;

/// <summary>The event stream's log messages (event ids 1210-1219).</summary>
internal static partial class EventStreamLog
{
    [LoggerMessage(1210, LogLevel.Warning, "An event stream client (job filter: {JobId}) fell {Capacity} events behind and was disconnected; it may reconnect with Last-Event-ID")]
    public static partial void ClientDropped(ILogger logger, string jobId, int capacity);

    [LoggerMessage(1211, LogLevel.Warning, "The event stream's store subscription fell behind and missed {Count} events; connected clients do not get them")]
    public static partial void SubscriptionMissed(ILogger logger, long count);

    [LoggerMessage(1212, LogLevel.Error, "The event stream's store subscription failed; it restarts with the next client")]
    public static partial void SubscriptionFailed(ILogger logger, Exception exception);
}
