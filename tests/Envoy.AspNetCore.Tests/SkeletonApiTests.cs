using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary>The skeleton's behaviour on every store: reading a job, 404 before anything else, and who may call.</summary>
public abstract class SkeletonApiTests(ApiStore store) : ApiTestBase(store)
{
    [Fact]
    public async Task A_scheduled_job_reads_back_as_the_job_json()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(30));

        var job = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{id}"));

        Assert.Equal(id, job["id"]!.GetValue<string>());
        Assert.Equal("hello", job["flow"]!.GetValue<string>());
        Assert.Equal("done", job["status"]!.GetValue<string>());
        Assert.Equal("Hello! Middle! End!", job["output"]!.GetValue<string>());
        Assert.EndsWith("Z", job["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_job_is_404_job_not_found() =>
        await Problems.AssertProblemAsync(await Viewer.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.NotFound, "job_not_found");

    [Fact]
    public async Task No_key_and_a_wrong_key_are_401_unauthorized()
    {
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.Unauthorized, "unauthorized");
        using var wrong = Host.Client("not-a-key");
        await Problems.AssertProblemAsync(await wrong.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.Unauthorized, "unauthorized");
    }
}

public sealed class SqliteSkeletonApiTests() : SkeletonApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresSkeletonApiTests(PostgresFixture postgres) : SkeletonApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisSkeletonApiTests(PostgresFixture postgres, RedisFixture redis) : SkeletonApiTests(ApiStore.PostgresRedis(postgres, redis));
