using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>GET /workers</c> and the store-wide <c>GET /jobs/unserved</c> on every store.</summary>
public abstract class WorkersApiTests(ApiStore store) : ApiTestBase(store)
{
    [Fact]
    public async Task Workers_lists_every_live_scheduler_on_the_store_with_its_flow_versions_and_unserved_follows_them()
    {
        var workers = await WorkersAsync();
        var self = workers.Single(w => w["id"]!.GetValue<string>() == Host.Scheduler.WorkerId);
        Assert.Equal(Environment.MachineName, self["host"]!.GetValue<string>());
        Assert.Equal(Environment.ProcessId, self["processId"]!.GetValue<int>());
        Assert.EndsWith("Z", self["startedAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("Z", self["lastSeenAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(self["flows"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "square" && f["version"]!.GetValue<string>() == Host.Scheduler.FlowVersions["square"][^1]);

        // A job of a version this server's scheduler lacks: unserved until another process (here a second scheduler on the same
        // store) has it, whichever process answers.
        var retiredId = Guid.NewGuid().ToString();
        await Host.Scheduler.Store.CreateJobAsync(new Envoy.Runtime.Storage.NewJob(
            retiredId, "square", new StateContext("Square", 3) { JobId = retiredId }.Serialize(), 0, DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds(), 0, null, null, null) { FlowVersion = "retired" });
        Assert.Contains(retiredId, await UnservedAsync());
        var other = new Scheduler(Host.Scheduler.Store, new SchedulerOptions(), ownsStore: false)
            .AddFlow("square", new StateFlow([new State("Square") { OnState = async ctx => ctx, Router = Router.End }]), new FlowOptions { Version = "retired" });
        await using (other)
        {
            await other.StartAsync();
            var both = await WorkersAsync();
            var second = both.Single(w => w["id"]!.GetValue<string>() == other.WorkerId);
            Assert.Equal("retired", second["flows"]!.AsArray().Single()!["version"]!.GetValue<string>());
            Assert.DoesNotContain(retiredId, await UnservedAsync());
            await other.StopAsync();
        }

        Assert.DoesNotContain(await WorkersAsync(), w => w["id"]!.GetValue<string>() == other.WorkerId);
        Assert.Contains(retiredId, await UnservedAsync());
    }

    private async Task<List<JsonNode>> WorkersAsync() =>
        (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/workers"))).AsArray().Select(w => w!).ToList();

    private async Task<List<string>> UnservedAsync() =>
        (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/jobs/unserved")))["items"]!.AsArray().Select(j => j!["id"]!.GetValue<string>()).ToList();
}

public sealed class SqliteWorkersApiTests() : WorkersApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresWorkersApiTests(PostgresFixture postgres) : WorkersApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisWorkersApiTests(PostgresFixture postgres, RedisFixture redis) : WorkersApiTests(ApiStore.PostgresRedis(postgres, redis));
