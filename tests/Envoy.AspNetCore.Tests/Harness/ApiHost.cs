using System.Net.Http.Headers;
using Envoy.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>
/// A real Envoy web app on Kestrel (a free loopback port): the scheduler on the given store with the ready server's sample
/// flows, <c>AddEnvoyServer</c> with <see cref="ApiKeys"/>, and <c>MapEnvoy("/envoy")</c>. Production environment (no anonymous
/// loopback unless a test turns it on).
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The app's services (the scheduler, for checking the store directly).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The scheduler of this host.</summary>
    public Scheduler Scheduler => _app.Services.GetRequiredService<Scheduler>();

    public static async Task<ApiHost> StartAsync(
        Action<EnvoyBuilder> store,
        Action<EnvoyServerOptions>? server = null,
        Action<EnvoyBuilder>? flows = null,
        Action<SchedulerConfig>? scheduler = null,
        string prefix = "/envoy",
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        var envoy = builder.Services.AddEnvoy(config =>
        {
            config.Concurrency = 4;
            config.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            config.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
            scheduler?.Invoke(config);
        });
        store(envoy);
        envoy.AddSampleFlows();
        flows?.Invoke(envoy);
        builder.Services.AddEnvoyServer(options =>
        {
            ApiKeys.Configure(options);
            server?.Invoke(options);
        });
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapEnvoy(prefix);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiHost(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    /// <summary>A client calling with <paramref name="key"/> (none: anonymous); 60 s per request unless <paramref name="timeout"/> says otherwise.</summary>
    public HttpClient Client(string? key = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
