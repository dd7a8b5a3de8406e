using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Events;

/// <summary>
/// <c>GET {prefix}/api/events?jobId=</c>: the store's scheduler events, live, as server-sent events (one per event: <c>event:</c>
/// its kind, <c>data:</c> JSON with <c>jobId</c>, <c>id:</c> for <c>Last-Event-ID</c>), with a <c>:</c> comment while idle. A
/// client reconnecting with <c>Last-Event-ID</c> first gets what it missed within the replay window.
/// </summary>
internal static class EventsEndpoints
{
    /// <summary>The header a reconnecting <c>EventSource</c> sends.</summary>
    public const string LastEventIdHeader = "Last-Event-ID";

    public static void Map(RouteGroupBuilder api, IServiceProvider services)
    {
        var broadcaster = new Lazy<EventStreamBroadcaster>(() => Create(services), LazyThreadSafetyMode.ExecutionAndPublication);
        api.MapGet("/events", (HttpContext http, string? jobId) => Stream(http, jobId, broadcaster.Value))
            .WithTags("Events")
            .WithName("GetEvents")
            .WithSummary("The scheduler events of every process on the store, live (text/event-stream).")
            .DisableRequestTimeout();
    }

    private static ServerSentEventsResult<string> Stream(HttpContext http, string? jobId, EventStreamBroadcaster broadcaster)
    {
        long? lastEventId = long.TryParse(http.Request.Headers[LastEventIdHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        var client = broadcaster.Connect(string.IsNullOrEmpty(jobId) ? null : jobId, lastEventId);
#pragma warning disable CA2000 // The response owns it: disposed when the request ends.
        http.Response.RegisterForDispose(new Disconnect(broadcaster, client));
#pragma warning restore CA2000
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not buffer the stream
        return TypedResults.ServerSentEvents(client.ReadAsync(http.Response, broadcaster.Options.KeepAliveInterval, broadcaster.Time, http.RequestAborted));
    }

    private static EventStreamBroadcaster Create(IServiceProvider services)
    {
        var broadcaster = new EventStreamBroadcaster(
            services.GetRequiredService<Scheduler>(),
            services.GetService<IOptions<EnvoyEventStreamOptions>>()?.Value ?? new EnvoyEventStreamOptions(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Envoy.AspNetCore.Events"));
        // Open streams never end by themselves: end them when the app stops, so that it stops at once.
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(broadcaster.Shutdown);
        return broadcaster;
    }

    private sealed class Disconnect(EventStreamBroadcaster broadcaster, EventStreamClient client) : IDisposable
    {
        public void Dispose() => broadcaster.Disconnect(client);
    }
}
