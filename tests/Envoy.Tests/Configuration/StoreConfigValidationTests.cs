namespace Envoy.Tests.Configuration;

/// <summary>Each store's one settings type validates itself, listing every problem; <see cref="SchedulerConfig"/> lists them with the runtime's.</summary>
public sealed class StoreConfigValidationTests
{
    [Fact]
    public void SqliteConfig_BadValues_AreAllListed()
    {
        Assert.Empty(new SqliteConfig().Validate());

        var errors = new SqliteConfig { Path = " ", ChangePollInterval = TimeSpan.Zero }.Validate();

        Assert.Equal(2, errors.Count);
        Assert.Contains("Sqlite.Path or Sqlite.ConnectionString must be set.", errors);
        Assert.Contains(errors, e => e.StartsWith("Sqlite.ChangePollInterval must be positive", StringComparison.Ordinal));
        var badString = Assert.Single(new SqliteConfig { ConnectionString = "Dta Source=x.db" }.Validate());
        Assert.StartsWith("Sqlite.ConnectionString is not a valid SQLite connection string", badString, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresConfig_BadValues_AreAllListed()
    {
        Assert.Empty(new PostgresConfig().Validate());
        Assert.Empty(new PostgresConfig { SearchTimeout = Timeout.InfiniteTimeSpan, TransientRetryWindow = TimeSpan.Zero }.Validate());

        var errors = new PostgresConfig
        {
            Host = "",
            Port = 70000,
            MaxPoolSize = 1,
            SearchTimeout = TimeSpan.FromSeconds(-2),
            TransientRetryWindow = TimeSpan.FromSeconds(-1),
        }.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Contains("Postgres.Host or Postgres.ConnectionString must be set.", errors);
        Assert.Contains("Postgres.Port must be between 1 and 65535 (was 70000).", errors);
        Assert.Contains(errors, e => e.StartsWith("Postgres.MaxPoolSize must be at least 2 (was 1)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Postgres.SearchTimeout cannot be negative", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Postgres.TransientRetryWindow cannot be negative", StringComparison.Ordinal));
        var badString = Assert.Single(new PostgresConfig { ConnectionString = "Hots=db" }.Validate());
        Assert.StartsWith("Postgres.ConnectionString is not a valid Npgsql connection string", badString, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisConfig_BadValues_AreAllListed()
    {
        Assert.Empty(new RedisConfig().Validate());

        var errors = new RedisConfig { Host = " ", Port = 0, KeyPrefix = "" }.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains("Redis.Host or Redis.ConnectionString must be set.", errors);
        Assert.Contains("Redis.Port must be between 1 and 65535 (was 0).", errors);
        Assert.Contains(errors, e => e.StartsWith("Redis.KeyPrefix cannot be blank", StringComparison.Ordinal));
        var badString = Assert.Single(new RedisConfig { ConnectionString = "127.0.0.1:6379,notAnOption=1" }.Validate());
        Assert.StartsWith("Redis.ConnectionString is not a valid StackExchange.Redis configuration string", badString, StringComparison.Ordinal);
    }

    [Fact]
    public void SchedulerConfig_ListsRuntimeStoreAndCombinationProblemsTogether()
    {
        var errors = new SchedulerConfig
        {
            Concurrency = 0,
            Sqlite = new SqliteConfig { Path = "" },
            Postgres = new PostgresConfig { MaxPoolSize = 1 },
            Redis = new RedisConfig { Port = -1 },
        }.Validate();

        Assert.Equal(5, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Concurrency must be at least 1", StringComparison.Ordinal));
        Assert.Contains("Choose one store: Sqlite or Postgres, not both.", errors);
        Assert.Contains("Sqlite.Path or Sqlite.ConnectionString must be set.", errors);
        Assert.Contains(errors, e => e.StartsWith("Postgres.MaxPoolSize must be at least 2", StringComparison.Ordinal));
        Assert.Contains("Redis.Port must be between 1 and 65535 (was -1).", errors);
        Assert.Contains(new SchedulerConfig { Redis = new RedisConfig() }.Validate(), e => e.StartsWith("Redis coordinates PostgreSQL stores", StringComparison.Ordinal));
    }

    [Fact]
    public void SchedulerOptions_HoldsRuntimeSettingsOnly_AndValidatesThem()
    {
        Assert.DoesNotContain(typeof(SchedulerOptions).GetProperties(), p => p.Name is "Sqlite" or "Postgres" or "Redis");

        var error = Assert.Throws<EnvoyConfigurationException>(() => new SchedulerOptions { MaxRetries = -1, ClaimBatchSize = 0 }.ThrowIfInvalid());

        Assert.Equal(2, error.Errors.Count);
    }

    [Fact]
    public async Task InitAsync_InvalidStoreSettings_ListsEveryProblem_AndCreatesNothing()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-config-");
        try
        {
            var path = Path.Combine(folder.FullName, "never.db");
            var error = await Assert.ThrowsAsync<EnvoyConfigurationException>(() => Scheduler.InitAsync(new SchedulerConfig
            {
                MaxRetries = -1,
                Sqlite = new SqliteConfig { Path = path, ChangePollInterval = TimeSpan.FromMilliseconds(-1) },
            }));

            Assert.Equal(2, error.Errors.Count);
            Assert.Contains(error.Errors, e => e.StartsWith("MaxRetries", StringComparison.Ordinal));
            Assert.Contains(error.Errors, e => e.StartsWith("Sqlite.ChangePollInterval", StringComparison.Ordinal));
            Assert.False(File.Exists(path));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void StoreConstructors_InvalidSettings_ThrowListingEveryProblem()
    {
        var postgres = Assert.Throws<EnvoyConfigurationException>(() => new Storage.Postgres.PostgresJobStore(new PostgresConfig { Port = 0, MaxPoolSize = 0 }));
        Assert.Equal(2, postgres.Errors.Count);

        var sqlite = Assert.Throws<EnvoyConfigurationException>(() => new Storage.Sqlite.SqliteJobStore(new SqliteConfig { Path = "", ChangePollInterval = TimeSpan.Zero }));
        Assert.Equal(2, sqlite.Errors.Count);
    }
}
