using Microsoft.Extensions.DependencyInjection;

namespace Envoy;

/// <summary>Chains Envoy's registration: the store, coordination and flows. Returned by <c>services.AddEnvoy()</c>.</summary>
public sealed class EnvoyBuilder
{
    internal EnvoyBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses the embedded SQLite store at <paramref name="path"/> (<c>:memory:</c> allowed).</summary>
    public EnvoyBuilder UseSqlite(string path = "envoy.db")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return UseSqlite(sqlite => sqlite.Path = path);
    }

    /// <summary>Uses the embedded SQLite store, configured by <paramref name="configure"/>.</summary>
    public EnvoyBuilder UseSqlite(Action<SqliteConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<SchedulerConfig>(config =>
        {
            config.Sqlite ??= new SqliteConfig();
            configure(config.Sqlite);
        });
        return this;
    }

    /// <summary>Uses the PostgreSQL store, configured by <paramref name="configure"/>.</summary>
    public EnvoyBuilder UsePostgres(Action<PostgresConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<SchedulerConfig>(config =>
        {
            config.Postgres ??= new PostgresConfig();
            configure(config.Postgres);
        });
        return this;
    }

    /// <summary>Uses the PostgreSQL store with an Npgsql connection string.</summary>
    public EnvoyBuilder UsePostgres(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return UsePostgres(postgres => postgres.ConnectionString = connectionString);
    }

    /// <summary>Adds Redis coordination next to PostgreSQL, configured by <paramref name="configure"/>.</summary>
    public EnvoyBuilder UseRedis(Action<RedisConfig> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure<SchedulerConfig>(config =>
        {
            config.Redis ??= new RedisConfig();
            configure(config.Redis);
        });
        return this;
    }

    /// <summary>Adds Redis coordination with a StackExchange.Redis configuration string.</summary>
    public EnvoyBuilder UseRedis(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return UseRedis(redis => redis.ConnectionString = connectionString);
    }

    /// <summary>
    /// Registers a flow under a name: a version of it (<see cref="FlowOptions.Version"/>, or the hash of its shape); several
    /// versions of one name may be registered, in order, and the last is the newest, which new jobs take.
    /// </summary>
    public EnvoyBuilder AddFlow(string name, StateFlow flow, FlowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return AddFlow(name, _ => flow, options);
    }

    /// <summary>Registers a flow built from services (for flows whose handlers use injected services).</summary>
    public EnvoyBuilder AddFlow(string name, Func<IServiceProvider, StateFlow> factory, FlowOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(new EnvoyFlowRegistration(name, factory, options));
        return this;
    }
}

/// <summary>A flow registered through <see cref="EnvoyBuilder.AddFlow(string, Func{IServiceProvider, StateFlow}, FlowOptions?)"/>.</summary>
/// <param name="Name">The flow's name.</param>
/// <param name="Factory">Builds the flow.</param>
/// <param name="Options">Per-flow settings.</param>
public sealed record EnvoyFlowRegistration(string Name, Func<IServiceProvider, StateFlow> Factory, FlowOptions? Options);
