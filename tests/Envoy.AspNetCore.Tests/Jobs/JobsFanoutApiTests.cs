using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>
/// A <c>fanout</c> whose <c>square</c> children are held (here each waits for an external <c>go</c> before it squares), so that
/// the parent and its children are certainly alive when the test acts on them.
/// </summary>
public abstract class JobsFanoutApiTests(ApiStore store) : ApiTestBase(store)
{
    protected override void ConfigureFlows(EnvoyBuilder envoy) =>
        envoy.AddFlow("square", new StateFlow(
        [
            new State("Hold") { OnState = async ctx => ctx.WaitFor(new WaitFor("go", "go")), Router = Router.Next("Square") },
            new State("Square") { OnState = async ctx => ctx.Output(ctx.Input<long>() * ctx.Input<long>()), Router = Router.End },
        ]));

    [Fact]
    public async Task Cancelling_a_fanout_parent_cancels_its_children()
    {
        var (parent, children) = await StartFanoutAsync();

        var job = await Problems.AssertJsonAsync(await Alice.PostAsync($"envoy/api/jobs/{parent}/cancel", null));

        Assert.Equal("cancelled", JobsApi.Status(job));
        foreach (var child in children)
        {
            Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.WaitForJobAsync(child, JobsApi.Timeout)).Status);
        }

        var listed = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{parent}/children"))).AsArray();
        Assert.All(listed, c => Assert.Equal("cancelled", c!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Resolving_a_spawn_wait_is_409_wait_type_mismatch_and_the_fanout_still_completes()
    {
        var (parent, children) = await StartFanoutAsync();
        var spawnWait = (await Viewer.GetJobAsync(parent))["waits"]!.AsArray().First(w => w!["type"]!.GetValue<string>() == "spawn")!;

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{parent}/waits/{spawnWait["id"]!.GetValue<string>()}/resolve", """{ "value": 1 }"""), HttpStatusCode.Conflict, "wait_type_mismatch");

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(parent)).Status);
        foreach (var child in children)
        {
            await Problems.AssertJsonAsync(await Bob.PostJsonAsync($"envoy/api/jobs/{child}/waits/go/resolve", """{ "value": "go" }"""));
        }

        Assert.Equal(14, (await Host.Scheduler.WaitForJobAsync(parent, JobsApi.Timeout)).Context.Output<int>());
    }

    private async Task<(string Parent, List<string> Children)> StartFanoutAsync()
    {
        var parent = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "fanout", "input": [1, 2, 3] }"""));
        await Alice.WaitForStatusAsync(parent, "blocking");
        var listed = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{parent}/children"))).AsArray();
        var children = listed.Select(c => JobsApi.Id(c!)).ToList();
        Assert.Equal(3, children.Count);
        foreach (var child in children)
        {
            await Alice.WaitForStatusAsync(child, "blocking");
        }

        return (parent, children);
    }
}

public sealed class SqliteJobsFanoutApiTests() : JobsFanoutApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsFanoutApiTests(PostgresFixture postgres) : JobsFanoutApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsFanoutApiTests(PostgresFixture postgres, RedisFixture redis) : JobsFanoutApiTests(ApiStore.PostgresRedis(postgres, redis));
