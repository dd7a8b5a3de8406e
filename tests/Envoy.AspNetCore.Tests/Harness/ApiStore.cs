using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Harness;

/// <summary>Which store a test host runs on: a fresh SQLite file, a fresh PostgreSQL database, or that plus Redis.</summary>
/// <param name="Name">For test output.</param>
/// <param name="CreateAsync">Makes a fresh store and returns how to configure Envoy for it.</param>
public sealed record ApiStore(string Name, Func<Task<Action<EnvoyBuilder>>> CreateAsync)
{
    public static ApiStore Sqlite() => new("sqlite", () =>
    {
        var folder = Directory.CreateTempSubdirectory("envoy-api-");
        return Task.FromResult<Action<EnvoyBuilder>>(envoy => envoy.UseSqlite(Path.Combine(folder.FullName, "envoy.db")));
    });

    public static ApiStore Postgres(PostgresFixture postgres) => new("postgres", async () =>
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        return envoy => envoy.UsePostgres(connectionString);
    });

    public static ApiStore PostgresRedis(PostgresFixture postgres, RedisFixture redis) => new("postgres+redis", async () =>
    {
        var connectionString = await postgres.CreateFreshDatabaseAsync();
        return envoy => envoy.UsePostgres(connectionString).UseRedis(redis.Endpoint);
    });

    public override string ToString() => Name;
}
