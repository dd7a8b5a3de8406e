using System.Net;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary><c>POST /envoy/api/jobs</c>: created, idempotent, and every refusal named (and nothing created).</summary>
public abstract class JobsScheduleApiTests(ApiStore store) : ApiTestBase(store)
{
    [Fact]
    public async Task Schedule_is_201_with_the_stored_job_and_its_location()
    {
        var response = await Alice.PostJsonAsync("envoy/api/jobs", """{ "flow": "hello" }""");

        var job = await Problems.AssertJsonAsync(response, HttpStatusCode.Created);
        var id = JobsApi.Id(job);
        Assert.Equal($"/envoy/api/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("hello", job["flow"]!.GetValue<string>());
        Assert.Contains(JobsApi.Status(job), new[] { "pending", "running", "done" });
        Assert.EndsWith("Z", job["createdAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0, job["retries"]!.GetValue<int>());
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout)).Status);
        var read = await Admin.GetJobAsync(id);
        Assert.Equal("Hello! Middle! End!", read["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Schedule_keeps_input_delay_priority_and_is_pending()
    {
        var job = await Alice.ScheduleAsync("""{ "flow": "square", "input": 7, "delay": 3600, "priority": 5 }""");

        Assert.Equal("pending", JobsApi.Status(job));
        Assert.Equal(7, job["input"]!.GetValue<int>());
        Assert.Equal(5, job["priority"]!.GetValue<int>());
        var runAt = DateTimeOffset.Parse(job["runAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var createdAt = DateTimeOffset.Parse(job["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((runAt - createdAt).TotalSeconds, 3599, 3601);
        var stored = await Host.Scheduler.GetJobAsync(JobsApi.Id(job));
        Assert.Equal((JobStatus.Pending, 5), (stored.Status, stored.Priority));
    }

    [Fact]
    public async Task Schedule_with_runAt_runs_not_before_it()
    {
        var job = await Admin.ScheduleAsync("""{ "flow": "hello", "runAt": "2099-01-02T03:04:05Z" }""");

        Assert.Equal("pending", JobsApi.Status(job));
        Assert.Equal("2099-01-02T03:04:05Z", job["runAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Schedule_with_parentId_records_the_parent()
    {
        var parent = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "hello", "delay": 3600 }"""));

        var child = await Alice.ScheduleAsync($$"""{ "flow": "hello", "delay": 3600, "parentId": "{{parent}}" }""");

        Assert.Equal(parent, child["parentId"]!.GetValue<string>());
        var children = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{parent}/children"));
        Assert.Equal(JobsApi.Id(child), Assert.Single(children.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_idempotency_key_again_is_200_with_the_first_job()
    {
        var first = await Alice.ScheduleAsync("""{ "flow": "square", "input": 3, "delay": 3600, "idempotencyKey": "order-17" }""");

        var again = await Bob.PostJsonAsync("envoy/api/jobs", """{ "flow": "square", "input": 4, "idempotencyKey": "order-17" }""");

        var second = await Problems.AssertJsonAsync(again, HttpStatusCode.OK);
        Assert.Null(again.Headers.Location);
        Assert.Equal(JobsApi.Id(first), JobsApi.Id(second));
        Assert.Equal(3, second["input"]!.GetValue<int>());
        Assert.Equal("order-17", second["idempotencyKey"]!.GetValue<string>());
        Assert.Single(await Host.Scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task Concurrent_posts_with_one_key_give_one_job_one_201_and_one_200()
    {
        for (var round = 0; round < 5; round++)
        {
            var body = $$"""{ "flow": "hello", "idempotencyKey": "race-{{round}}" }""";
            var responses = await Task.WhenAll(Task.Run(() => Alice.PostJsonAsync("envoy/api/jobs", body)), Task.Run(() => Bob.PostJsonAsync("envoy/api/jobs", body)));

            Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.Created }, responses.Select(r => r.StatusCode).Order().ToArray());
            var ids = new List<string>();
            foreach (var response in responses)
            {
                ids.Add(JobsApi.Id(await Problems.AssertJsonAsync(response, response.StatusCode)));
            }

            Assert.Single(ids.Distinct());
        }

        Assert.Equal(5, (await Host.Scheduler.ListJobsAsync()).Count);
    }

    [Fact]
    public async Task An_idempotency_key_of_another_flow_is_409_idempotency_conflict_and_creates_nothing()
    {
        var first = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "hello", "delay": 3600, "idempotencyKey": "k1" }"""));

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync("envoy/api/jobs", """{ "flow": "square", "input": 2, "idempotencyKey": "k1" }"""), HttpStatusCode.Conflict, "idempotency_conflict");

        Assert.Equal(first, Assert.Single(await Host.Scheduler.ListJobsAsync()).Id);
    }

    [Fact]
    public async Task An_unknown_flow_is_400_flow_not_found_and_creates_nothing()
    {
        var problem = await Problems.AssertProblemAsync(await Alice.PostJsonAsync("envoy/api/jobs", """{ "flow": "nope" }"""), HttpStatusCode.BadRequest, "flow_not_found");

        Assert.Contains("nope", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await Host.Scheduler.ListJobsAsync());
    }

    [Theory]
    [InlineData("""{ }""", "flow")]
    [InlineData("""{ "flow": null }""", "flow")]
    [InlineData("""{ "flow": "  " }""", "flow")]
    [InlineData("""{ "flow": 3 }""", "flow")]
    [InlineData("""{ "flow": ["hello"] }""", "flow")]
    [InlineData("""{ "flow": "hello", "delay": "abc" }""", "delay")]
    [InlineData("""{ "flow": "hello", "delay": -1 }""", "delay")]
    [InlineData("""{ "flow": "hello", "delay": 1e400 }""", "delay")]
    [InlineData("""{ "flow": "hello", "delay": 1e300 }""", "delay")]
    [InlineData("""{ "flow": "hello", "delay": 5, "runAt": "2099-01-01T00:00:00Z" }""", "delay")]
    [InlineData("""{ "flow": "hello", "runAt": "soon" }""", "runAt")]
    [InlineData("""{ "flow": "hello", "runAt": 12 }""", "runAt")]
    [InlineData("""{ "flow": "hello", "priority": 1.5 }""", "priority")]
    [InlineData("""{ "flow": "hello", "priority": "high" }""", "priority")]
    [InlineData("""{ "flow": "hello", "priority": 99999999999 }""", "priority")]
    [InlineData("""{ "flow": "hello", "idempotencyKey": 5 }""", "idempotencyKey")]
    [InlineData("""{ "flow": "hello", "idempotencyKey": "" }""", "idempotencyKey")]
    [InlineData("""{ "flow": "hello", "idempotencyKey": "a\u0000b" }""", "idempotencyKey")]
    [InlineData("""{ "flow": "hello", "parentId": "no-such-job" }""", "parentId")]
    [InlineData("""{ "flow": "hello", "parentId": 7 }""", "parentId")]
    [InlineData("""{ "flow": "hello", "input": "a\u0000b" }""", "input")]
    public async Task A_wrong_body_is_400_invalid_body_naming_the_field_and_creates_nothing(string body, string field)
    {
        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync("envoy/api/jobs", body), "invalid_body", field);

        Assert.Empty(await Host.Scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task An_idempotency_key_longer_than_512_is_400_invalid_body() =>
        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync("envoy/api/jobs", $$"""{ "flow": "hello", "idempotencyKey": "{{new string('k', 513)}}" }"""), "invalid_body", "idempotencyKey");

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{ \"flow\": ")]
    [InlineData("{ flow: 'hello' }")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("\"hello\"")]
    public async Task Malformed_json_is_400_invalid_body_and_creates_nothing(string body)
    {
        await Problems.AssertProblemAsync(await Alice.PostJsonAsync("envoy/api/jobs", body), HttpStatusCode.BadRequest, "invalid_body");

        Assert.Empty(await Host.Scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task An_input_with_a_duplicate_key_is_not_a_server_error()
    {
        var response = await Alice.PostJsonAsync("envoy/api/jobs", """{ "flow": "square", "input": { "a": 1, "a": 2 }, "delay": 3600 }""");

        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Viewer.GetAsync("envoy/api/jobs")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413_body_too_large_and_creates_nothing()
    {
        var big = $$"""{ "flow": "hello", "input": "{{new string('x', 1024 * 1024)}}" }""";

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync("envoy/api/jobs", big), HttpStatusCode.RequestEntityTooLarge, "body_too_large");

        Assert.Empty(await Host.Scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task The_location_follows_the_prefix_envoy_is_mapped_at()
    {
        await using var other = await ApiHost.StartAsync(await Store.CreateAsync(), prefix: "/ops/envoy");
        using var client = other.Client(ApiKeys.Alice);

        var response = await client.PostJsonAsync("ops/envoy/api/jobs", """{ "flow": "hello", "delay": 3600 }""");

        var job = await Problems.AssertJsonAsync(response, HttpStatusCode.Created);
        Assert.Equal($"/ops/envoy/api/jobs/{JobsApi.Id(job)}", response.Headers.Location?.OriginalString);
        await Problems.AssertJsonAsync(await client.GetAsync(response.Headers.Location!.OriginalString.TrimStart('/')));
    }
}

public sealed class SqliteJobsScheduleApiTests() : JobsScheduleApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsScheduleApiTests(PostgresFixture postgres) : JobsScheduleApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsScheduleApiTests(PostgresFixture postgres, RedisFixture redis) : JobsScheduleApiTests(ApiStore.PostgresRedis(postgres, redis));
