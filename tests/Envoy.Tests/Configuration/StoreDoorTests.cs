using System.Reflection;
using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Envoy.Tests.Configuration;

/// <summary>
/// The doors (<c>Scheduler.Create</c>/<c>InitAsync</c>, <c>UseSqlite</c>, <c>UsePostgres</c>) hand the store every property of
/// its settings type. Each sample sets every property to a value other than its default, so a property a door drops fails here.
/// </summary>
public sealed class StoreDoorTests
{
    private static PostgresConfig PostgresSample() => new()
    {
        Host = "db.invalid",
        Port = 6543,
        Username = "envoy",
        Password = "secret",
        Database = "jobs",
        ConnectionString = null,
        MaxPoolSize = 7,
        SearchTimeout = TimeSpan.FromSeconds(3),
        TransientRetryWindow = TimeSpan.FromSeconds(4),
        Listen = false,
    };

    private static SqliteConfig SqliteSample(string path) => new()
    {
        Path = path,
        ConnectionString = null,
        FullSync = false,
        ChangePollInterval = TimeSpan.FromMilliseconds(120),
    };

    [Fact]
    public async Task Create_Postgres_HandsEveryPropertyToTheStore()
    {
        var expected = PostgresSample();
        await using var scheduler = Scheduler.Create(new SchedulerConfig { Postgres = PostgresSample() });

        var store = Assert.IsType<PostgresJobStore>(scheduler.Store);
        AssertSameSettings(expected, store.Config, new PostgresConfig(), nameof(PostgresConfig.ConnectionString));
        Assert.Equal("postgres:db.invalid:6543/jobs", store.Description);
    }

    [Fact]
    public async Task UsePostgres_HandsEveryPropertyToTheStore()
    {
        var expected = PostgresSample();
        var services = new ServiceCollection();
        services.AddEnvoy().UsePostgres(postgres => Copy(PostgresSample(), postgres));
        await using var provider = services.BuildServiceProvider();

        var store = Assert.IsType<PostgresJobStore>(provider.GetRequiredService<Scheduler>().Store);
        AssertSameSettings(expected, store.Config, new PostgresConfig(), nameof(PostgresConfig.ConnectionString));
    }

    [Fact]
    public async Task UsePostgres_ConnectionString_WinsOverTheParts()
    {
        var services = new ServiceCollection();
        services.AddEnvoy().UsePostgres("Host=db2.invalid;Port=5433;Database=other;Username=u").UsePostgres(p => p.MaxPoolSize = 4);
        await using var provider = services.BuildServiceProvider();

        var store = Assert.IsType<PostgresJobStore>(provider.GetRequiredService<Scheduler>().Store);
        Assert.Equal("postgres:db2.invalid:5433/other", store.Description);
        Assert.Equal(4, store.Config.MaxPoolSize);
    }

    [Fact]
    public async Task InitAsyncAndUseSqlite_HandEveryPropertyToTheStore()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-doors-");
        try
        {
            var path = Path.Combine(folder.FullName, "jobs.db");
            var expected = SqliteSample(path);
            await using (var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = SqliteSample(path) }))
            {
                AssertSameSettings(expected, Assert.IsType<SqliteJobStore>(scheduler.Store).Config, new SqliteConfig(), nameof(SqliteConfig.ConnectionString));
            }

            var services = new ServiceCollection();
            services.AddEnvoy().UseSqlite(sqlite => Copy(SqliteSample(path), sqlite));
            await using var provider = services.BuildServiceProvider();
            AssertSameSettings(expected, Assert.IsType<SqliteJobStore>(provider.GetRequiredService<Scheduler>().Store).Config, new SqliteConfig(), nameof(SqliteConfig.ConnectionString));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void RedisConfig_BuildsItsConnectionString_FromThePartsOrTheGivenOne()
    {
        var built = new RedisConfig { Host = "redis.invalid", Port = 6380, Password = "pw" }.BuildConnectionString();

        Assert.Contains("redis.invalid:6380", built, StringComparison.Ordinal);
        Assert.Contains("password=pw", built, StringComparison.Ordinal);
        Assert.Equal("r:1,ssl=true", new RedisConfig { Host = "ignored", ConnectionString = "r:1,ssl=true" }.BuildConnectionString());
    }

    [Fact]
    public void PostgresConfig_BuildsItsConnectionString_FromThePartsOrTheGivenOne()
    {
        var built = new Npgsql.NpgsqlConnectionStringBuilder(PostgresSample().BuildConnectionString());

        Assert.Equal(("db.invalid", 6543, "envoy", "secret", "jobs"), (built.Host, built.Port, built.Username, built.Password, built.Database));
        Assert.Equal("Host=x", new PostgresConfig { Host = "ignored", ConnectionString = "Host=x" }.BuildConnectionString());
        Assert.Throws<EnvoyConfigurationException>(() => new PostgresConfig { Port = 0 }.BuildConnectionString());
    }

    /// <summary>Every public property of <paramref name="actual"/> equals <paramref name="expected"/>'s, and the sample sets each (but the exempt ones) away from its default.</summary>
    private static void AssertSameSettings<T>(T expected, T actual, T defaults, params string[] exempt)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(expected);
            Assert.True(exempt.Contains(property.Name) || !Equals(value, property.GetValue(defaults)), $"The sample leaves {property.Name} at its default.");
            Assert.True(Equals(value, property.GetValue(actual)), $"{typeof(T).Name}.{property.Name}: expected {value}, the store has {property.GetValue(actual)}.");
        }
    }

    private static void Copy<T>(T from, T to)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            property.SetValue(to, property.GetValue(from));
        }
    }
}
