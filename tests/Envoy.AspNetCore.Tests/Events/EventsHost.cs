using Envoy.AspNetCore.Events;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>
/// The test web app (<see cref="ApiHost"/>) on an events store, with event stream options; keeps the store's settings so that a
/// second scheduler can join the same store.
/// </summary>
public sealed class EventsHost : IAsyncDisposable
{
    private readonly ApiHost _host;

    private EventsHost(ApiHost host, Action<SchedulerConfig> store)
    {
        _host = host;
        Store = store;
    }

    public Uri Address => _host.Address;

    public Action<SchedulerConfig> Store { get; }

    public Scheduler Scheduler => _host.Scheduler;

    public static async Task<EventsHost> StartAsync(EventsStore store, Action<EnvoyEventStreamOptions>? events = null, Action<EnvoyServerOptions>? server = null)
    {
        var configure = await store.CreateAsync();
        var host = await ApiHost.StartAsync(
            store: _ => { },
            server: server,
            scheduler: configure,
            services: services => services.Configure<EnvoyEventStreamOptions>(o => events?.Invoke(o)));
        return new EventsHost(host, configure);
    }

    /// <summary>A client with no request timeout (streams stay open).</summary>
    public HttpClient Client(string? key = null) => _host.Client(key, Timeout.InfiniteTimeSpan);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
