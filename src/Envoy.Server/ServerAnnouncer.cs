using Envoy.AspNetCore;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Envoy.Server;

/// <summary>
/// Says at start what a user must know (anonymous loopback on, no API key, an API-only node) and, once Kestrel listens, prints
/// one line with the dashboard's real address: <c>Envoy is ready: http://127.0.0.1:5080/envoy/ (API: ..., health: ...)</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class ServerAnnouncer(
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<EnvoyServerOptions> serverOptions,
    IOptions<EnvoyWorkerOptions> workerOptions,
    Scheduler scheduler,
    ILogger<ServerAnnouncer> logger) : IHostedService
{
    /// <summary>Where <c>MapEnvoy</c> maps Envoy in this server.</summary>
    public const string Prefix = "/envoy";

    /// <summary>What the ready line starts with.</summary>
    public const string ReadyLinePrefix = "Envoy is ready: ";

    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = serverOptions.Value;
        if (options.AllowAnonymousLoopback)
        {
            ServerLog.AnonymousLoopbackOn(logger);
        }
        else if (options.ApiKeys.Count == 0)
        {
            ServerLog.NoApiKeys(logger);
        }

        if (!workerOptions.Value.RunWorkers)
        {
            ServerLog.ApiOnly(logger, scheduler.Store.Description);
        }

        _started = lifetime.ApplicationStarted.Register(AnnounceReady);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await _started.DisposeAsync().ConfigureAwait(false);

    /// <summary>The root to show for the addresses Kestrel listens on: a loopback one first; a wildcard host shown as localhost.</summary>
    internal static string DisplayRoot(IEnumerable<string> addresses)
    {
        var uris = addresses
            .Select(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .ToList();
        var chosen = uris.Find(u => u.IsLoopback && u.Scheme == Uri.UriSchemeHttp) ?? uris.Find(u => u.IsLoopback) ?? uris.FirstOrDefault();
        if (chosen is null)
        {
            return "http://127.0.0.1:5080";
        }

        var host = chosen.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : chosen.Host;
        return new UriBuilder(chosen.Scheme, host, chosen.Port).Uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>The ready line for <paramref name="root"/>.</summary>
    internal static string ReadyLine(string root) =>
        $"{ReadyLinePrefix}{root}{Prefix}/ (API: {root}{Prefix}/api, health: {root}{Prefix}/healthz)";

    private void AnnounceReady()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var root = DisplayRoot(addresses);
        Console.Out.WriteLine(ReadyLine(root));
        Console.Out.Flush();
        ServerLog.Ready(logger, root, scheduler.Store.Description);
    }
}
