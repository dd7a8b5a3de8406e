using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>Cancel, fail, retry and resolve a wait: the answer is the job as stored after it; a refusal changes nothing.</summary>
public abstract class JobsActionApiTests(ApiStore store) : ApiTestBase(store)
{
    private static readonly ScheduleOptions Later = new() { Delay = TimeSpan.FromHours(1) };

    protected override void ConfigureFlows(EnvoyBuilder envoy) =>
        envoy.AddFlow("two-waits", new StateFlow(
        [
            new State("Wait")
            {
                OnState = async ctx => ctx.WaitFor(new WaitFor("a", "a"), new WaitFor("b", "b")),
                OnExit = async ctx => ctx.Output(new JsonObject { ["a"] = ctx.GetWait("a")?.Output?.DeepClone(), ["b"] = ctx.GetWait("b")?.Output?.DeepClone() }),
                Router = Router.End,
            },
        ]));

    [Fact]
    public async Task Cancel_a_running_job_is_200_cancelled_and_again_409_job_terminal()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "slow", "input": 60000 }"""));
        await Alice.WaitForStatusAsync(id, "running");

        var job = await Problems.AssertJsonAsync(await Alice.PostAsync($"envoy/api/jobs/{id}/cancel", null));

        Assert.Equal((id, "cancelled"), (JobsApi.Id(job), JobsApi.Status(job)));
        Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout)).Status);
        await Problems.AssertProblemAsync(await Admin.PostAsync($"envoy/api/jobs/{id}/cancel", null), HttpStatusCode.Conflict, "job_terminal");
        Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Cancel_cancels_the_descendants_too()
    {
        var parent = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        var child = JobsApi.Id(await Alice.ScheduleAsync($$"""{ "flow": "wait", "parentId": "{{parent}}" }"""));
        var grandchild = JobsApi.Id(await Alice.ScheduleAsync($$"""{ "flow": "slow", "input": 60000, "parentId": "{{child}}" }"""));
        await Alice.WaitForStatusAsync(child, "blocking");

        var job = await Problems.AssertJsonAsync(await Admin.PostAsync($"envoy/api/jobs/{parent}/cancel", null));

        Assert.Equal("cancelled", JobsApi.Status(job));
        Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.WaitForJobAsync(child, JobsApi.Timeout)).Status);
        Assert.Equal(JobStatus.Cancelled, (await Host.Scheduler.WaitForJobAsync(grandchild, JobsApi.Timeout)).Status);
    }

    [Fact]
    public async Task Fail_is_200_failed_with_the_reason_and_again_409_job_terminal()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "slow", "input": 60000 }"""));
        await Alice.WaitForStatusAsync(id, "running");

        var job = await Problems.AssertJsonAsync(await Bob.PostJsonAsync($"envoy/api/jobs/{id}/fail", """{ "reason": "stopped by bob" }"""));

        Assert.Equal(("failed", "stopped by bob"), (JobsApi.Status(job), job["error"]!.GetValue<string>()));
        var stored = await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);
        Assert.Equal((JobStatus.Failed, "stopped by bob"), (stored.Status, stored.Error));
        await Problems.AssertProblemAsync(await Bob.PostJsonAsync($"envoy/api/jobs/{id}/fail", """{ "reason": "again" }"""), HttpStatusCode.Conflict, "job_terminal");
        Assert.Equal("stopped by bob", (await Host.Scheduler.GetJobAsync(id)).Error);
    }

    [Theory]
    [InlineData("""{ }""", "reason")]
    [InlineData("""{ "reason": null }""", "reason")]
    [InlineData("""{ "reason": "   " }""", "reason")]
    [InlineData("""{ "reason": 42 }""", "reason")]
    [InlineData("""{ "reason": ["a"] }""", "reason")]
    public async Task Fail_without_a_reason_is_400_invalid_body_and_changes_nothing(string body, string field)
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);

        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/fail", body), "invalid_body", field);

        Assert.Equal(JobStatus.Pending, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Fail_with_malformed_json_is_400_invalid_body()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/fail", "{ reason"), HttpStatusCode.BadRequest, "invalid_body");
        await Problems.AssertProblemAsync(await Alice.PostAsync($"envoy/api/jobs/{id}/fail", null), HttpStatusCode.BadRequest, "invalid_body");

        Assert.Equal(JobStatus.Pending, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task Retry_of_a_failed_job_is_200_with_retries_grown_by_one()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "fail" }"""));
        Assert.Equal(JobStatus.Failed, (await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout)).Status);
        Assert.Equal(0, (await Viewer.GetJobAsync(id))["retries"]!.GetValue<int>());

        var job = await Problems.AssertJsonAsync(await Alice.PostAsync($"envoy/api/jobs/{id}/retry", null));

        Assert.Equal(1, job["retries"]!.GetValue<int>());
        Assert.Contains(JobsApi.Status(job), new[] { "pending", "running", "failed" });
        var again = await Alice.WaitForStatusAsync(id, "failed");
        Assert.Equal(1, again["retries"]!.GetValue<int>());
        var history = (await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{id}/history"))).AsArray();
        var retried = Assert.Single(history, e => e!["kind"]!.GetValue<string>() == "retried")!;
        Assert.Equal("failed", retried["fromStatus"]!.GetValue<string>());

        var twice = await Problems.AssertJsonAsync(await Admin.PostAsync($"envoy/api/jobs/{id}/retry", null));
        Assert.Equal(2, twice["retries"]!.GetValue<int>());
    }

    [Fact]
    public async Task Retry_of_a_cancelled_job_runs_it_again()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        await Host.Scheduler.CancelJobAsync(id);

        var job = await Problems.AssertJsonAsync(await Alice.PostAsync($"envoy/api/jobs/{id}/retry", null));

        Assert.Equal(1, job["retries"]!.GetValue<int>());
        Assert.Contains(JobsApi.Status(job), new[] { "pending", "running", "done" });
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout)).Status);
    }

    [Fact]
    public async Task Retry_of_a_pending_or_done_job_is_409_job_not_failed_and_changes_nothing()
    {
        var pending = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        var done = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.WaitForJobAsync(done, JobsApi.Timeout);

        await Problems.AssertProblemAsync(await Alice.PostAsync($"envoy/api/jobs/{pending}/retry", null), HttpStatusCode.Conflict, "job_not_failed");
        await Problems.AssertProblemAsync(await Alice.PostAsync($"envoy/api/jobs/{done}/retry", null), HttpStatusCode.Conflict, "job_not_failed");

        Assert.Equal((JobStatus.Pending, 0), ((await Host.Scheduler.GetJobAsync(pending)).Status, (await Host.Scheduler.GetJobAsync(pending)).Retries));
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.GetJobAsync(done)).Status);
        Assert.DoesNotContain(await Host.Scheduler.GetJobHistoryAsync(done), e => e.Kind == JobEventKind.Retried);
    }

    [Fact]
    public async Task Resolving_the_signal_of_a_wait_job_ends_it_with_that_value()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        var blocking = await Alice.WaitForStatusAsync(id, "blocking");
        Assert.Equal("signal", Assert.Single(blocking["waits"]!.AsArray())!["id"]!.GetValue<string>());

        var job = await Problems.AssertJsonAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", """{ "value": { "ok": true, "items": [1, "two", null] } }"""));

        Assert.Equal(id, JobsApi.Id(job));
        var done = await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);
        Assert.Equal(JobStatus.Done, done.Status);
        var expected = JsonNode.Parse("""{ "ok": true, "items": [1, "two", null] }""");
        Assert.True(JsonNode.DeepEquals(expected, done.Context.Output()), done.Context.Output()?.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, (await Viewer.GetJobAsync(id))["output"]));
        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", """{ "value": 2 }"""), HttpStatusCode.Conflict, "job_terminal");
    }

    [Fact]
    public async Task Resolving_with_null_is_a_value()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        await Alice.WaitForStatusAsync(id, "blocking");

        await Problems.AssertJsonAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", """{ "value": null }"""));

        var done = await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);
        Assert.Equal(JobStatus.Done, done.Status);
        Assert.Null(done.Context.Output());
    }

    [Fact]
    public async Task Resolving_a_wait_again_is_409_wait_already_resolved_and_an_unknown_wait_404()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "two-waits" }"""));
        await Alice.WaitForStatusAsync(id, "blocking");

        var job = await Problems.AssertJsonAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/a/resolve", """{ "value": "first" }"""));
        Assert.Equal("blocking", JobsApi.Status(job));

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/a/resolve", """{ "value": "second" }"""), HttpStatusCode.Conflict, "wait_already_resolved");
        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/nope/resolve", """{ "value": 1 }"""), HttpStatusCode.NotFound, "wait_not_found");
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);

        await Problems.AssertJsonAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/b/resolve", """{ "value": "b" }"""));
        var done = await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "a": "first", "b": "b" }"""), done.Context.Output()), done.Context.Output()?.ToJsonString());
    }

    [Fact]
    public async Task Resolving_a_wait_of_an_ended_job_is_409_job_terminal_whatever_the_wait()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        await Host.Scheduler.CancelJobAsync(id);

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", """{ "value": 1 }"""), HttpStatusCode.Conflict, "job_terminal");
    }

    [Fact]
    public async Task Resolving_an_escalation_wait_is_409_wait_type_mismatch()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "approval", "input": { "user": "alice", "amount": 30 } }"""));
        var blocking = await Alice.WaitForStatusAsync(id, "blocking");
        var wait = Assert.Single(blocking["waits"]!.AsArray())!;

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/{wait["id"]!.GetValue<string>()}/resolve", """{ "value": true }"""), HttpStatusCode.Conflict, "wait_type_mismatch");

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Theory]
    [InlineData("""{ }""", "value")]
    [InlineData("""{ "other": 1 }""", "value")]
    public async Task Resolving_without_a_value_is_400_invalid_body_and_changes_nothing(string body, string field)
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        await Alice.WaitForStatusAsync(id, "blocking");

        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", body), "invalid_body", field);
        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", "{ \"value\": "), HttpStatusCode.BadRequest, "invalid_body");

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("fail")]
    [InlineData("retry")]
    [InlineData("waits/signal/resolve")]
    public async Task An_unknown_job_is_404_job_not_found(string action) =>
        await Problems.AssertProblemAsync(await Admin.PostJsonAsync($"envoy/api/jobs/nope/{action}", """{ "reason": "r", "value": 1 }"""), HttpStatusCode.NotFound, "job_not_found");
}

public sealed class SqliteJobsActionApiTests() : JobsActionApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsActionApiTests(PostgresFixture postgres) : JobsActionApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsActionApiTests(PostgresFixture postgres, RedisFixture redis) : JobsActionApiTests(ApiStore.PostgresRedis(postgres, redis));
