using System.Diagnostics;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>GET /envoy/healthz</c> with every store up, on every store.</summary>
public abstract class HealthApiTests(ApiStore store, bool withRedis) : ApiTestBase(store)
{
    [Fact]
    public async Task Healthz_is_anonymous_and_healthy_when_the_store_answers()
    {
        var clock = Stopwatch.StartNew();
        using var response = await Anonymous.GetAsync("envoy/healthz");
        clock.Stop();

        var health = await Problems.AssertJsonAsync(response);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("healthy", health["status"]!.GetValue<string>());
        Assert.Equal("healthy", health["checks"]!["store"]!.GetValue<string>());
        if (withRedis)
        {
            Assert.Equal("healthy", health["checks"]!["redis"]!.GetValue<string>());
        }
        else
        {
            Assert.Null(health["checks"]!["redis"]);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"healthz took {clock.Elapsed}");
    }

    [Fact]
    public async Task Healthz_answers_with_a_key_too() =>
        Assert.Equal("healthy", (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/healthz")))["status"]!.GetValue<string>());
}

public sealed class SqliteHealthApiTests() : HealthApiTests(ApiStore.Sqlite(), withRedis: false);

[Collection(SharedServers.Name)]
public sealed class PostgresHealthApiTests(PostgresFixture postgres) : HealthApiTests(ApiStore.Postgres(postgres), withRedis: false);

[Collection(SharedServers.Name)]
public sealed class PostgresRedisHealthApiTests(PostgresFixture postgres, RedisFixture redis) : HealthApiTests(ApiStore.PostgresRedis(postgres, redis), withRedis: true);
