using System.Net.Http.Headers;
using Envoy.AspNetCore.Events;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.Server;
using Envoy.TestServers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Envoy.AspNetCore.Tests.Events;

/// <summary>Which store an events test runs on; the same settings serve the web app and any second scheduler.</summary>
public sealed record EventsStore(string Name, Func<Task<Action<SchedulerConfig>>> CreateAsync)
{
    public static EventsStore Sqlite() => new("sqlite", () =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("envoy-events-").FullName, "envoy.db");
        return Task.FromResult<Action<SchedulerConfig>>(c => c.Sqlite = new SqliteConfig { Path = path });
    });

    public static EventsStore Postgres(PostgresFixture postgres) => new("postgres", async () =>
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        return c => c.Postgres = new PostgresConfig { ConnectionString = connectionString };
    });

    public static EventsStore PostgresRedis(PostgresFixture postgres, RedisFixture redis) => new("postgres+redis", async () =>
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        return c =>
        {
            c.Postgres = new PostgresConfig { ConnectionString = connectionString };
            c.Redis = new RedisConfig { ConnectionString = redis.Endpoint };
        };
    });

    public override string ToString() => Name;
}

/// <summary>A real Envoy web app on Kestrel (loopback) with the sample flows, the test API keys and event stream options.</summary>
public sealed class EventsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EventsHost(WebApplication app, Uri address, Action<SchedulerConfig> store)
    {
        _app = app;
        Address = address;
        Store = store;
    }

    public Uri Address { get; }

    public Action<SchedulerConfig> Store { get; }

    public Scheduler Scheduler => _app.Services.GetRequiredService<Scheduler>();

    public static async Task<EventsHost> StartAsync(EventsStore store, Action<EnvoyEventStreamOptions>? events = null)
    {
        var configure = await store.CreateAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddEnvoy(config =>
        {
            configure(config);
            config.Concurrency = 4;
            config.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            config.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
        }).AddSampleFlows();
        builder.Services.AddEnvoyServer(ApiKeys.Configure);
        builder.Services.Configure<EnvoyEventStreamOptions>(o => events?.Invoke(o));
        var app = builder.Build();
        app.MapEnvoy("/envoy");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EventsHost(app, new Uri(address.EndsWith('/') ? address : address + "/"), configure);
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = Timeout.InfiniteTimeSpan };
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
