using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>Who may call the jobs routes: 401 without a caller, 403 for a viewer's write (nothing changes), 404 before 403.</summary>
public abstract class JobsAuthApiTests(ApiStore store) : ApiTestBase(store)
{
    private static readonly ScheduleOptions Later = new() { Delay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task Without_a_key_or_with_a_wrong_key_every_route_is_401_and_nothing_changes()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        using var wrong = Host.Client("not-a-key");

        foreach (var client in new[] { Anonymous, wrong })
        {
            foreach (var (method, path, body) in Routes(id))
            {
                await Problems.AssertProblemAsync(await SendAsync(client, method, path, body), HttpStatusCode.Unauthorized, "unauthorized");
            }
        }

        var job = Assert.Single(await Host.Scheduler.ListJobsAsync());
        Assert.Equal((id, JobStatus.Pending), (job.Id, job.Status));
    }

    [Fact]
    public async Task A_viewer_reads_every_route_but_every_write_is_403_and_changes_nothing()
    {
        var pending = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        var failed = await Host.Scheduler.ScheduleAsync("fail");
        await Host.Scheduler.WaitForJobAsync(failed, JobsApi.Timeout);
        var waiting = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        await Alice.WaitForStatusAsync(waiting, "blocking");

        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync("envoy/api/jobs", """{ "flow": "hello" }"""), HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(await Viewer.PostAsync($"envoy/api/jobs/{pending}/cancel", null), HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync($"envoy/api/jobs/{pending}/fail", """{ "reason": "r" }"""), HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(await Viewer.PostAsync($"envoy/api/jobs/{failed}/retry", null), HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync($"envoy/api/jobs/{waiting}/waits/signal/resolve", """{ "value": 1 }"""), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(3, (await Host.Scheduler.ListJobsAsync()).Count);
        Assert.Equal(JobStatus.Pending, (await Host.Scheduler.GetJobAsync(pending)).Status);
        Assert.Equal((JobStatus.Failed, 0), ((await Host.Scheduler.GetJobAsync(failed)).Status, (await Host.Scheduler.GetJobAsync(failed)).Retries));
        Assert.DoesNotContain(await Host.Scheduler.GetJobHistoryAsync(failed), e => e.Kind == JobEventKind.Retried);
        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(waiting)).Status);
        foreach (var path in new[] { "envoy/api/jobs", $"envoy/api/jobs/{pending}", $"envoy/api/jobs/{pending}/history", $"envoy/api/jobs/{pending}/children" })
        {
            Assert.Equal(HttpStatusCode.OK, (await Viewer.GetAsync(path)).StatusCode);
        }
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("fail")]
    [InlineData("retry")]
    [InlineData("waits/signal/resolve")]
    public async Task An_unknown_id_with_a_viewer_is_404_not_403(string action) =>
        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync($"envoy/api/jobs/no-such-job/{action}", """{ "reason": "r", "value": 1 }"""), HttpStatusCode.NotFound, "job_not_found");

    [Fact]
    public async Task An_unknown_wait_of_a_live_job_with_a_viewer_is_404_wait_not_found_and_a_known_one_403()
    {
        var waiting = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        await Alice.WaitForStatusAsync(waiting, "blocking");

        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync($"envoy/api/jobs/{waiting}/waits/nope/resolve", """{ "value": 1 }"""), HttpStatusCode.NotFound, "wait_not_found");
        await Problems.AssertProblemAsync(await Viewer.PostJsonAsync($"envoy/api/jobs/{waiting}/waits/signal/resolve", """{ "value": 1 }"""), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(waiting)).Status);
    }

    [Theory]
    [InlineData(ApiKeys.Alice)]
    [InlineData(ApiKeys.Bob)]
    [InlineData(ApiKeys.Admin)]
    public async Task Operators_and_admins_may_do_every_write(string key)
    {
        using var client = Host.Client(key);
        var failed = await Host.Scheduler.ScheduleAsync("fail");
        await Host.Scheduler.WaitForJobAsync(failed, JobsApi.Timeout);
        var waiting = JobsApi.Id(await client.ScheduleAsync("""{ "flow": "wait" }"""));
        var toCancel = JobsApi.Id(await client.ScheduleAsync("""{ "flow": "hello", "delay": 3600 }"""));
        var toFail = JobsApi.Id(await client.ScheduleAsync("""{ "flow": "hello", "delay": 3600 }"""));
        await client.WaitForStatusAsync(waiting, "blocking");

        Assert.Equal("cancelled", JobsApi.Status(await Problems.AssertJsonAsync(await client.PostAsync($"envoy/api/jobs/{toCancel}/cancel", null))));
        Assert.Equal("failed", JobsApi.Status(await Problems.AssertJsonAsync(await client.PostJsonAsync($"envoy/api/jobs/{toFail}/fail", """{ "reason": "r" }"""))));
        Assert.Equal(1, (await Problems.AssertJsonAsync(await client.PostAsync($"envoy/api/jobs/{failed}/retry", null)))["retries"]!.GetValue<int>());
        await Problems.AssertJsonAsync(await client.PostJsonAsync($"envoy/api/jobs/{waiting}/waits/signal/resolve", """{ "value": "ok" }"""));
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(waiting, JobsApi.Timeout)).Status);
    }

    private static IEnumerable<(HttpMethod Method, string Path, string? Body)> Routes(string id) =>
    [
        (HttpMethod.Get, "envoy/api/jobs", null),
        (HttpMethod.Get, $"envoy/api/jobs/{id}", null),
        (HttpMethod.Get, $"envoy/api/jobs/{id}/history", null),
        (HttpMethod.Get, $"envoy/api/jobs/{id}/children", null),
        (HttpMethod.Post, "envoy/api/jobs", """{ "flow": "hello" }"""),
        (HttpMethod.Post, $"envoy/api/jobs/{id}/cancel", null),
        (HttpMethod.Post, $"envoy/api/jobs/{id}/fail", """{ "reason": "r" }"""),
        (HttpMethod.Post, $"envoy/api/jobs/{id}/retry", null),
        (HttpMethod.Post, $"envoy/api/jobs/{id}/waits/signal/resolve", """{ "value": 1 }"""),
        (HttpMethod.Post, "envoy/api/jobs/no-such-job/cancel", null),
    ];

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request);
    }
}

public sealed class SqliteJobsAuthApiTests() : JobsAuthApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsAuthApiTests(PostgresFixture postgres) : JobsAuthApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsAuthApiTests(PostgresFixture postgres, RedisFixture redis) : JobsAuthApiTests(ApiStore.PostgresRedis(postgres, redis));
