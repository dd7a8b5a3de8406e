using Microsoft.Extensions.Logging;

namespace Envoy.Runtime.Execution;

internal static partial class RuntimeLog
{
    [LoggerMessage(1200, LogLevel.Warning, "Store events could not be sent to other processes; they are dropped (best effort) and further failures are not logged until a send succeeds")]
    public static partial void StoreEventsSendFailed(ILogger logger, Exception exception);

    [LoggerMessage(1201, LogLevel.Information, "Store events are sent to other processes again")]
    public static partial void StoreEventsSendRecovered(ILogger logger);

    [LoggerMessage(1202, LogLevel.Warning, "Could not learn whether another process listens to store events; events are dropped until it answers")]
    public static partial void StoreEventsPresenceFailed(ILogger logger, Exception exception);

    [LoggerMessage(1203, LogLevel.Warning, "A store events message could not be read; it is skipped (further unreadable messages are not logged)")]
    public static partial void StoreEventsUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(1204, LogLevel.Warning, "{Count} store events were too large for one message and were not sent to other processes")]
    public static partial void StoreEventsTooLarge(ILogger logger, int count);

    [LoggerMessage(1205, LogLevel.Warning, "Could not announce this process as a store events listener; other processes may not send their events until it can")]
    public static partial void StoreEventsAnnounceFailed(ILogger logger, Exception exception);

    [LoggerMessage(1206, LogLevel.Debug, "Listening to the store's events ({ListenerId})")]
    public static partial void StoreEventsListening(ILogger logger, string listenerId);

    [LoggerMessage(1207, LogLevel.Debug, "No longer listening to the store's events ({ListenerId})")]
    public static partial void StoreEventsNotListening(ILogger logger, string listenerId);

    [LoggerMessage(1208, LogLevel.Warning, "The escalation {EscalationId} of a store event sent by reference could not be read; the event is dropped")]
    public static partial void StoreEventsReferenceFailed(ILogger logger, Exception exception, string escalationId);
}
