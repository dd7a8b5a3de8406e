namespace Envoy.AspNetCore.Events;

/// <summary>
/// Settings of the live event stream (<c>GET {prefix}/api/events</c>): keep-alive, replay for reconnecting clients, and the
/// per-client queue. Configure with <c>services.Configure&lt;EnvoyEventStreamOptions&gt;(...)</c>; the defaults suit most apps.
/// </summary>
public sealed class EnvoyEventStreamOptions
{
    /// <summary>How often an idle stream sends a <c>:</c> comment, so proxies keep it open (default 15 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long events are kept for clients that reconnect with <c>Last-Event-ID</c> (default one minute); also how long the
    /// stream keeps its store subscription after the last client left, so that a client reconnecting within it misses nothing.
    /// </summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most events kept for replay, whatever their age (default 20,000): the replay buffer's memory is bounded.</summary>
    public int ReplayCapacity { get; set; } = 20_000;

    /// <summary>
    /// How many events may wait for one client (default 2,000). A client that falls that far behind is dropped (its response
    /// ends) so that it never slows the others; it reconnects with <c>Last-Event-ID</c> and catches up from the replay buffer.
    /// </summary>
    public int ClientQueueCapacity { get; set; } = 2_000;
}
