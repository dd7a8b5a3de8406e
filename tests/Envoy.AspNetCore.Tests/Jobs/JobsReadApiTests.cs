using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary><c>GET /envoy/api/jobs/{id}/history</c> and <c>/children</c>.</summary>
public abstract class JobsReadApiTests(ApiStore store) : ApiTestBase(store)
{
    [Fact]
    public async Task The_history_of_a_done_job_lists_every_entry_in_order()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);

        var history = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{id}/history"))).AsArray();

        var kinds = history.Select(e => e!["kind"]!.GetValue<string>()).ToList();
        Assert.Equal(["scheduled", "claimed", "stepCompleted", "stepCompleted", "stepCompleted"], kinds);
        var steps = history.Where(e => e!["kind"]!.GetValue<string>() == "stepCompleted").ToList();
        Assert.Equal(["Start", "Middle", "End"], steps.Select(e => e!["state"]!.GetValue<string>()));
        Assert.Equal([1, 2, 3], steps.Select(e => e!["step"]!.GetValue<int>()));
        Assert.All(steps, e => Assert.True(e!["durationMs"]!.GetValue<double>() >= 0));
        Assert.Equal("done", steps[^1]!["toStatus"]!.GetValue<string>());
        Assert.Equal("running", steps[^1]!["fromStatus"]!.GetValue<string>());
        Assert.All(history, e => Assert.EndsWith("Z", e!["at"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(history, e => Assert.True(e!.AsObject().ContainsKey("error")));
    }

    [Fact]
    public async Task The_history_of_a_failed_job_carries_its_error()
    {
        var id = await Host.Scheduler.ScheduleAsync("fail");
        await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);

        var history = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{id}/history"))).AsArray();

        var failed = Assert.Single(history, e => e!["kind"]!.GetValue<string>() == "stepFailed")!;
        Assert.Contains("boom", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("failed", failed["toStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_children_of_a_fanout_are_its_square_jobs()
    {
        var parent = await Host.Scheduler.ScheduleAsync("fanout", new[] { 1, 2, 3 });
        Assert.Equal(14, (await Host.Scheduler.WaitForJobAsync(parent, JobsApi.Timeout)).Context.Output<int>());

        var children = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{parent}/children"))).AsArray();

        Assert.Equal(3, children.Count);
        Assert.All(children, c => Assert.Equal(("square", parent, "done"), (c!["flow"]!.GetValue<string>(), c["parentId"]!.GetValue<string>(), c["status"]!.GetValue<string>())));
        Assert.Equal([1, 4, 9], children.Select(c => c!["output"]!.GetValue<int>()).Order());
    }

    [Fact]
    public async Task A_job_without_children_has_an_empty_list()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello");

        Assert.Empty((await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{id}/children"))).AsArray());
    }

    [Theory]
    [InlineData("history")]
    [InlineData("children")]
    public async Task An_unknown_job_is_404_job_not_found(string route) =>
        await Problems.AssertProblemAsync(await Viewer.GetAsync($"envoy/api/jobs/nope/{route}"), HttpStatusCode.NotFound, "job_not_found");
}

public sealed class SqliteJobsReadApiTests() : JobsReadApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsReadApiTests(PostgresFixture postgres) : JobsReadApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsReadApiTests(PostgresFixture postgres, RedisFixture redis) : JobsReadApiTests(ApiStore.PostgresRedis(postgres, redis));
