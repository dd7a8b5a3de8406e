namespace Envoy.Server;

/// <summary>The ready server's log messages (event ids 9000-9099, category <c>Envoy.Server</c>).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning,
        Message = "Anonymous loopback access is on (Envoy:Server:AllowAnonymousLoopback): anyone on this machine acts as admin 'local' without a key. Keep it for development on your own machine.")]
    public static partial void AnonymousLoopbackOn(ILogger logger);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning,
        Message = "No API key is configured (Envoy:Server:ApiKeys): only /envoy/healthz will answer, every other route answers 401. Add one, e.g. Envoy__Server__ApiKeys__0__Key=<secret>, Envoy__Server__ApiKeys__0__User=<name>, Envoy__Server__ApiKeys__0__Role=admin.")]
    public static partial void NoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information,
        Message = "API-only node (Envoy:Server:RunWorkers = false): this process runs no job; workers on the same store ({Store}) run them.")]
    public static partial void ApiOnly(ILogger logger, string store);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Envoy is ready: {Root}/envoy/ (store: {Store})")]
    public static partial void Ready(ILogger logger, string root, string store);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information,
        Message = "Sample recurring schedule '{Id}' added: flow '{Flow}' at '{Cron}' (UTC). Remove it with: envoy recurring remove {Id}")]
    public static partial void SampleScheduleAdded(ILogger logger, string id, string flow, string cron);
}
