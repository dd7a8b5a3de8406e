using Envoy.Storage.Postgres;
using Envoy.Storage.Sqlite;

namespace Envoy.Tests.Configuration;

/// <summary>Settings captured by a scheduler or a store are deep copies: nothing the caller changes later reaches them.</summary>
public sealed class SchedulerConfigCopyTests
{
    [Fact]
    public void Clone_CopiesTheNestedStoreSettings()
    {
        var config = new SchedulerConfig
        {
            Concurrency = 3,
            Sqlite = new SqliteConfig { Path = "a.db" },
            Postgres = new PostgresConfig { Host = "db1", SearchTimeout = TimeSpan.FromSeconds(2) },
            Redis = new RedisConfig { Host = "redis1", KeyPrefix = "app" },
        };

        var copy = config.Clone();
        config.Concurrency = 9;
        config.Sqlite.Path = "b.db";
        config.Postgres.Host = "db2";
        config.Postgres.SearchTimeout = TimeSpan.FromSeconds(5);
        config.Redis.KeyPrefix = "other";

        Assert.IsType<SchedulerConfig>(copy);
        Assert.NotSame(config.Sqlite, copy.Sqlite);
        Assert.NotSame(config.Postgres, copy.Postgres);
        Assert.NotSame(config.Redis, copy.Redis);
        Assert.Equal(3, copy.Concurrency);
        Assert.Equal("a.db", copy.Sqlite?.Path);
        Assert.Equal(("db1", TimeSpan.FromSeconds(2)), (copy.Postgres?.Host, copy.Postgres?.SearchTimeout));
        Assert.Equal("app", copy.Redis?.KeyPrefix);
        Assert.IsType<SchedulerConfig>(((SchedulerOptions)config).Clone());
    }

    [Fact]
    public async Task InitAsync_CallerChangesNestedConfigAfterwards_SchedulerKeepsItsOwnCopy()
    {
        var folder = Directory.CreateTempSubdirectory("envoy-copy-");
        try
        {
            var path = Path.Combine(folder.FullName, "jobs.db");
            var config = new SchedulerConfig { Concurrency = 2, Sqlite = new SqliteConfig { Path = path, FullSync = false } };
            await using (var scheduler = await Scheduler.InitAsync(config))
            {
                config.Concurrency = 7;
                config.Sqlite.Path = Path.Combine(folder.FullName, "other.db");
                config.Sqlite.FullSync = true;
                config.Sqlite.ChangePollInterval = TimeSpan.FromSeconds(9);

                var captured = Assert.IsType<SchedulerConfig>(scheduler.Options);
                Assert.NotSame(config, captured);
                Assert.NotSame(config.Sqlite, captured.Sqlite);
                Assert.Equal(2, captured.Concurrency);
                Assert.Equal((path, false), (captured.Sqlite?.Path, captured.Sqlite?.FullSync));
                var store = Assert.IsType<SqliteJobStore>(scheduler.Store).Config;
                Assert.Equal((path, false, TimeSpan.FromMilliseconds(50)), (store.Path, store.FullSync, store.ChangePollInterval));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Stores_KeepACopy_AndHandOutCopies()
    {
        var postgresConfig = new PostgresConfig { Host = "db", SearchTimeout = TimeSpan.FromSeconds(2), MaxPoolSize = 5 };
        await using var postgres = new PostgresJobStore(postgresConfig);
        postgresConfig.SearchTimeout = TimeSpan.FromSeconds(7);
        postgresConfig.MaxPoolSize = 9;
        postgres.Config.TransientRetryWindow = TimeSpan.Zero;

        Assert.Equal((TimeSpan.FromSeconds(2), 5), (postgres.Config.SearchTimeout, postgres.Config.MaxPoolSize));
        Assert.Equal(TimeSpan.FromSeconds(30), postgres.Config.TransientRetryWindow);

        var sqliteConfig = new SqliteConfig { Path = ":memory:", FullSync = false };
        await using var sqlite = new SqliteJobStore(sqliteConfig);
        sqliteConfig.FullSync = true;
        sqlite.Config.ChangePollInterval = TimeSpan.FromSeconds(3);

        Assert.False(sqlite.Config.FullSync);
        Assert.Equal(TimeSpan.FromMilliseconds(50), sqlite.Config.ChangePollInterval);
    }
}
