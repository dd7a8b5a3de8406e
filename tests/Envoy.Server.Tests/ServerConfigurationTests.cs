using Envoy.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Envoy.Server.Tests;

/// <summary>The ready server's configuration: the section <c>Envoy</c> mapped onto AddEnvoy, its problems listed, its start-up choices.</summary>
public sealed class ServerConfigurationTests
{
    [Fact]
    public void Apply_PostgresAndRedisSections_MapOntoUsePostgresAndUseRedis()
    {
        var config = Resolve(new()
        {
            ["Envoy:Postgres:ConnectionString"] = "Host=db;Database=envoy",
            ["Envoy:Postgres:MaxPoolSize"] = "7",
            ["Envoy:Redis:ConnectionString"] = "redis:6379",
        });

        Assert.Null(config.Sqlite);
        Assert.Equal(("Host=db;Database=envoy", 7), (config.Postgres?.ConnectionString, config.Postgres?.MaxPoolSize));
        Assert.Equal("redis:6379", config.Redis?.ConnectionString);
    }

    [Fact]
    public void Apply_SqliteAndSchedulerSections_MapOntoUseSqliteAndSchedulerConfig()
    {
        var config = Resolve(new()
        {
            ["Envoy:Sqlite:Path"] = "/data/jobs.db",
            ["Envoy:Sqlite:FullSync"] = "false",
            ["Envoy:Scheduler:Concurrency"] = "12",
            ["Envoy:Scheduler:MaxRetries"] = "5",
            ["Envoy:Scheduler:LeaseDuration"] = "00:01:00",
        });

        Assert.Equal(("/data/jobs.db", false), (config.Sqlite?.Path, config.Sqlite?.FullSync));
        Assert.Null(config.Postgres);
        Assert.Equal((12, 5, TimeSpan.FromMinutes(1)), (config.Concurrency, config.MaxRetries, config.LeaseDuration));
    }

    [Fact]
    public void Apply_EveryStoreSetting_BindsFromItsSection()
    {
        var postgres = Resolve(new()
        {
            ["Envoy:Postgres:Host"] = "db",
            ["Envoy:Postgres:Port"] = "6543",
            ["Envoy:Postgres:Username"] = "envoy",
            ["Envoy:Postgres:Password"] = "pw",
            ["Envoy:Postgres:Database"] = "jobs",
            ["Envoy:Postgres:MaxPoolSize"] = "9",
            ["Envoy:Postgres:SearchTimeout"] = "00:00:03",
            ["Envoy:Postgres:TransientRetryWindow"] = "00:00:04",
            ["Envoy:Postgres:Listen"] = "false",
            ["Envoy:Redis:Host"] = "cache",
            ["Envoy:Redis:Port"] = "6380",
            ["Envoy:Redis:Password"] = "rpw",
            ["Envoy:Redis:KeyPrefix"] = "app",
        }).Postgres;
        var redis = Resolve(new() { ["Envoy:Postgres:Host"] = "db", ["Envoy:Redis:KeyPrefix"] = "app", ["Envoy:Redis:Port"] = "6380" }).Redis;
        var sqlite = Resolve(new() { ["Envoy:Sqlite:Path"] = "/data/jobs.db", ["Envoy:Sqlite:ChangePollInterval"] = "00:00:00.2" }).Sqlite;

        Assert.Equal(("db", 6543, "envoy", "pw", "jobs"), (postgres?.Host, postgres?.Port, postgres?.Username, postgres?.Password, postgres?.Database));
        Assert.Equal((9, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), false), (postgres?.MaxPoolSize, postgres?.SearchTimeout, postgres?.TransientRetryWindow, postgres?.Listen));
        Assert.Equal(("app", 6380), (redis?.KeyPrefix, redis?.Port));
        Assert.Equal(("/data/jobs.db", TimeSpan.FromMilliseconds(200)), (sqlite?.Path, sqlite?.ChangePollInterval));
        var problems = ServerConfiguration.Problems(Build(new() { ["Envoy:Postgres:SearchTimeout"] = "-00:00:02", ["Envoy:Postgres:Port"] = "0" }));
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Envoy: Postgres.SearchTimeout cannot be negative", StringComparison.Ordinal));
        Assert.Contains("Envoy: Postgres.Port must be between 1 and 65535 (was 0).", problems);
    }

    [Fact]
    public void Apply_NothingConfigured_IsTheSqliteDefault()
    {
        var config = Resolve([]);

        Assert.Null(config.Sqlite);
        Assert.Null(config.Postgres);
        Assert.Empty(ServerConfiguration.Problems(Build([])));
    }

    [Fact]
    public void Problems_ListsEveryProblemOfEverySection()
    {
        var problems = ServerConfiguration.Problems(Build(new()
        {
            ["Envoy:Sqlite:Path"] = "a.db",
            ["Envoy:Sqlite:Pth"] = "b.db",
            ["Envoy:Redis:ConnectionString"] = "redis:6379",
            ["Envoy:Scheduler:Concurrency"] = "0",
            ["Envoy:Scheduler:MaxRetries"] = "lots",
            ["Envoy:Sever:RunWorkers"] = "false",
            ["Envoy:Server:MaxBodyBytes"] = "0",
        }));

        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Envoy:Sever is not a setting", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Envoy:Sqlite:Pth is not a setting", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Redis coordinates PostgreSQL stores", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Concurrency must be at least 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Envoy:Scheduler:MaxRetries:", StringComparison.Ordinal) && p.Contains("'lots'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Envoy:Server:MaxBodyBytes must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigurationError_NamesTheCountAndEachProblemOnItsOwnLine()
    {
        var message = ServerStart.ConfigurationError(["one", "two"]);

        Assert.Equal($"Envoy.Server cannot start: the configuration has 2 problems:{Environment.NewLine}  - one{Environment.NewLine}  - two", message);
    }

    [Theory]
    [InlineData(new string[0], "http://127.0.0.1:5080")]
    [InlineData(new[] { "--urls", "http://127.0.0.1:6000" }, "http://127.0.0.1:6000")]
    public void UseDefaultUrl_Is5080UnlessUrlsAreGiven(string[] args, string expected)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });

        ServerStart.UseDefaultUrl(builder);

        Assert.Equal(expected, builder.WebHost.GetSetting("urls"));
    }

    [Theory]
    [InlineData(new string[0], 25)]
    [InlineData(new[] { "--shutdownTimeoutSeconds", "3" }, 3)]
    public void UseShutdownTimeout_Is25SecondsUnlessTheHostSettingIsGiven(string[] args, int seconds)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });

        ServerStart.UseShutdownTimeout(builder);

        using var app = builder.Build();
        Assert.Equal(TimeSpan.FromSeconds(seconds), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("http://[::]:8080", "http://localhost:8080")]
    [InlineData("http://0.0.0.0:8080", "http://localhost:8080")]
    [InlineData("http://+:8080", "http://localhost:8080")]
    [InlineData("https://example.org:8443;http://127.0.0.1:9000", "http://127.0.0.1:9000")]
    public void DisplayRoot_PrefersLoopbackHttpAndNamesWildcardsLocalhost(string addresses, string expected)
    {
        Assert.Equal(expected, ServerAnnouncer.DisplayRoot(addresses.Split(';')));
    }

    [Fact]
    public void Settings_ProductionHasNoAnonymousAccessAndNoKeys_DevelopmentTurnsAnonymousLoopbackOn()
    {
        var folder = Path.GetDirectoryName(Harness.ServerProcess.ServerDll)!;
        var production = new ConfigurationBuilder().SetBasePath(folder).AddJsonFile("appsettings.json").Build();
        var development = new ConfigurationBuilder().SetBasePath(folder).AddJsonFile("appsettings.json").AddJsonFile("appsettings.Development.json").Build();

        var serverProduction = production.GetSection(EnvoyServerOptions.SectionName).Get<EnvoyServerOptions>() ?? new EnvoyServerOptions();
        Assert.False(serverProduction.AllowAnonymousLoopback);
        Assert.Empty(serverProduction.ApiKeys);
        Assert.True(development.GetSection(EnvoyServerOptions.SectionName).Get<EnvoyServerOptions>()?.AllowAnonymousLoopback);
        Assert.Empty(ServerConfiguration.Problems(production));
        Assert.Empty(ServerConfiguration.Problems(development));
    }

    private static IConfiguration Build(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static SchedulerConfig Resolve(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        ServerConfiguration.Apply(services.AddEnvoy(), Build(values));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SchedulerConfig>>().Value;
    }
}
