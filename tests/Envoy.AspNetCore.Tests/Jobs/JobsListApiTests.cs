using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary><c>GET /envoy/api/jobs</c>: newest first, paged, filtered; bad parameters named; hostile values harmless.</summary>
public abstract class JobsListApiTests(ApiStore store) : ApiTestBase(store)
{
    private static readonly ScheduleOptions Later = new() { Delay = TimeSpan.FromHours(1) };

    [Fact]
    public async Task The_list_is_newest_first_with_at_most_50_by_default()
    {
        var ids = new List<string>();
        for (var i = 0; i < 55; i++)
        {
            ids.Add(await Host.Scheduler.ScheduleAsync("square", i, Later));
        }

        var items = await ItemsAsync(Viewer, "");

        Assert.Equal(50, items.Count);
        Assert.Equal(Enumerable.Reverse(ids).Take(50), items.Select(JobsApi.Id));
        var createdAt = items.Select(j => DateTimeOffset.Parse(j["createdAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(createdAt.OrderDescending(), createdAt);
    }

    [Fact]
    public async Task Limit_and_offset_page_and_a_limit_above_500_is_clamped_to_500()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = worker; i < 505; i += 4)
            {
                await Host.Scheduler.ScheduleAsync("square", i, Later);
            }
        })));

        Assert.Equal(500, (await ItemsAsync(Viewer, "?limit=100000")).Count);
        var firstPage = await ItemsAsync(Viewer, "?limit=3");
        var secondPage = await ItemsAsync(Viewer, "?limit=3&offset=3");
        var both = await ItemsAsync(Viewer, "?limit=6");
        Assert.Equal(both.Select(JobsApi.Id), firstPage.Concat(secondPage).Select(JobsApi.Id));
        Assert.Equal(5, (await ItemsAsync(Viewer, "?offset=500")).Count);
    }

    [Fact]
    public async Task Status_flow_parent_and_time_filters_select_their_jobs()
    {
        var done = await Host.Scheduler.ScheduleAsync("hello");
        await Host.Scheduler.WaitForJobAsync(done, JobsApi.Timeout);
        var pending = await Host.Scheduler.ScheduleAsync("square", 2, Later);
        var child = await Host.Scheduler.ScheduleAsync("square", 3, new ScheduleOptions { Delay = TimeSpan.FromHours(1), ParentId = pending });
        var pendingCreated = (await Host.Scheduler.GetJobAsync(pending)).CreatedAt;
        var doneCreated = (await Host.Scheduler.GetJobAsync(done)).CreatedAt;

        Assert.Equal([done], (await ItemsAsync(Viewer, "?status=done")).Select(JobsApi.Id));
        Assert.Equal([child, pending], (await ItemsAsync(Viewer, "?status=Pending")).Select(JobsApi.Id));
        Assert.Equal([child, pending], (await ItemsAsync(Viewer, "?flow=square")).Select(JobsApi.Id));
        Assert.Equal([child], (await ItemsAsync(Viewer, $"?parentId={pending}")).Select(JobsApi.Id));
        Assert.Empty(await ItemsAsync(Viewer, "?flow=square&status=done"));
        var after = Uri.EscapeDataString(pendingCreated.ToString("O"));
        Assert.DoesNotContain(done, (await ItemsAsync(Viewer, $"?createdAfter={after}")).Select(JobsApi.Id).Where(_ => doneCreated < pendingCreated));
        Assert.Contains(pending, (await ItemsAsync(Viewer, $"?createdAfter={after}")).Select(JobsApi.Id));
        Assert.DoesNotContain(pending, (await ItemsAsync(Viewer, $"?createdBefore={after}")).Select(JobsApi.Id));
        Assert.Empty(await ItemsAsync(Viewer, "?createdAfter=2099-01-01T00:00:00Z"));
        Assert.Equal(3, (await ItemsAsync(Viewer, "?createdBefore=2099-01-01T00:00:00%2B01:00")).Count);
        Assert.Equal(3, (await ItemsAsync(Viewer, "?createdBefore=2099-01-01T00:00:00+01:00")).Count);
    }

    [Theory]
    [InlineData("status=bogus", "status")]
    [InlineData("status=1", "status")]
    [InlineData("status=pending&status=done", "status")]
    [InlineData("createdAfter=yesterday", "createdAfter")]
    [InlineData("createdBefore=2026-13-45T00:00:00Z", "createdBefore")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("limit=99999999999999", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=x", "offset")]
    [InlineData("flow=a%00b", "flow")]
    [InlineData("search=a%00b", "search")]
    public async Task A_bad_parameter_is_400_invalid_query_naming_it(string query, string parameter) =>
        await JobsApi.AssertNamesAsync(await Viewer.GetAsync($"envoy/api/jobs?{query}"), "invalid_query", parameter);

    [Theory]
    [InlineData("'; DROP TABLE envoy.jobs; --")]
    [InlineData("'; DROP TABLE jobs; --")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    [InlineData("\" OR 1=1 --")]
    public async Task Sql_in_filters_is_harmless_and_matches_nothing(string value)
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        var escaped = Uri.EscapeDataString(value);

        foreach (var parameter in new[] { "flow", "parentId", "search", "status", "createdAfter", "limit", "offset" })
        {
            var response = await Viewer.GetAsync($"envoy/api/jobs?{parameter}={escaped}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Empty((await Problems.AssertJsonAsync(response))["items"]!.AsArray());
            }
            else
            {
                await JobsApi.AssertNamesAsync(response, "invalid_query", parameter);
            }
        }

        await StoreStillWorksAsync(id);
    }

    [Fact]
    public async Task Huge_parameter_values_are_harmless()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        var huge = new string('x', 6_000);

        Assert.Empty(await ItemsAsync(Viewer, $"?flow={huge}"));
        Assert.Empty(await ItemsAsync(Viewer, $"?parentId={huge}"));
        await JobsApi.AssertNamesAsync(await Viewer.GetAsync($"envoy/api/jobs?status={huge}"), "invalid_query", "status");
        await JobsApi.AssertNamesAsync(await Viewer.GetAsync($"envoy/api/jobs?search={huge}"), "invalid_query", "search");
        await JobsApi.AssertNamesAsync(await Viewer.GetAsync($"envoy/api/jobs?createdAfter={huge}"), "invalid_query", "createdAfter");
        await JobsApi.AssertNamesAsync(await Viewer.GetAsync($"envoy/api/jobs?limit={huge}"), "invalid_query", "limit");
        await Problems.AssertProblemAsync(await Viewer.GetAsync($"envoy/api/jobs/{huge}"), HttpStatusCode.NotFound, "job_not_found");
        await Problems.AssertProblemAsync(await Viewer.GetAsync($"envoy/api/jobs/{huge}/history"), HttpStatusCode.NotFound, "job_not_found");

        // 10 kB is past Kestrel's request-line limit (8 KiB): refused by the server before Envoy sees it, never a server error.
        foreach (var parameter in new[] { "flow", "search", "parentId" })
        {
            var refused = await Viewer.GetAsync($"envoy/api/jobs?{parameter}={new string('y', 10_000)}");
            Assert.True((int)refused.StatusCode is >= 400 and < 500, $"{parameter}: {(int)refused.StatusCode}");
        }

        await StoreStillWorksAsync(id);
    }

    [Fact]
    public async Task Search_finds_the_id_flow_error_input_and_output_ignoring_case()
    {
        var greeting = await Host.Scheduler.ScheduleAsync("hello");
        var failed = await Host.Scheduler.ScheduleAsync("fail", new JsonObject { ["order"] = "Order-4711" });
        var squared = await Host.Scheduler.ScheduleAsync("square", 12345);
        foreach (var id in new[] { greeting, failed, squared })
        {
            await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout);
        }

        Assert.Equal([greeting], (await ItemsAsync(Viewer, "?search=HELL")).Select(JobsApi.Id));
        Assert.Equal([failed], (await ItemsAsync(Viewer, "?search=boom")).Select(JobsApi.Id));
        Assert.Equal([failed], (await ItemsAsync(Viewer, "?search=order-4711")).Select(JobsApi.Id));
        Assert.Equal([squared], (await ItemsAsync(Viewer, "?search=152399025")).Select(JobsApi.Id));
        Assert.Equal([squared], (await ItemsAsync(Viewer, $"?search={squared[^12..].ToUpperInvariant()}")).Select(JobsApi.Id));
        Assert.Equal([failed], (await ItemsAsync(Viewer, "?search=boom&flow=fail&status=failed")).Select(JobsApi.Id));
        Assert.Empty(await ItemsAsync(Viewer, "?search=boom&flow=hello"));
    }

    [Fact]
    public async Task Search_for_a_whole_job_id_lists_that_job_alone()
    {
        var greeting = await Host.Scheduler.ScheduleAsync("hello", null, Later);
        var mentions = await Host.Scheduler.ScheduleAsync("hello", new JsonObject { ["about"] = greeting }, Later);

        Assert.Equal([greeting], (await ItemsAsync(Viewer, $"?search={greeting}")).Select(JobsApi.Id));
        Assert.Equal([greeting], (await ItemsAsync(Viewer, $"?search={greeting.ToUpperInvariant()}&status=pending&flow=hello")).Select(JobsApi.Id));
        Assert.Equal([mentions, greeting], (await ItemsAsync(Viewer, $"?search={greeting[..13]}")).Select(JobsApi.Id));
    }

    [Fact]
    public void A_search_stopped_by_the_store_timeout_is_422_search_timeout()
    {
        var problem = EnvoyProblemMapper.ToProblem(new SearchTimeoutException("zyzzyva", TimeSpan.FromSeconds(1)));

        Assert.NotNull(problem);
        Assert.Equal(422, problem.Status);
        Assert.Equal(EnvoyProblemCodes.SearchTimeout, problem.Code);
        Assert.Contains("zyzzyva", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_takes_percent_and_underscore_literally()
    {
        var literal = await Host.Scheduler.ScheduleAsync("square", new JsonObject { ["note"] = "50%_off" }, Later);
        _ = await Host.Scheduler.ScheduleAsync("square", new JsonObject { ["note"] = "5000 off" }, Later);

        Assert.Equal([literal], (await ItemsAsync(Viewer, $"?search={Uri.EscapeDataString("0%_o")}")).Select(JobsApi.Id));
        Assert.Empty(await ItemsAsync(Viewer, $"?search={Uri.EscapeDataString("'; DROP TABLE envoy.jobs; --")}"));
        Assert.Equal(2, (await ItemsAsync(Viewer, "?search=off")).Count);
    }

    private async Task StoreStillWorksAsync(string existing)
    {
        Assert.Equal(existing, JobsApi.Id(await Viewer.GetJobAsync(existing)));
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "hello" }"""));
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(id, JobsApi.Timeout)).Status);
        Assert.Equal(2, (await ItemsAsync(Viewer, "")).Count);
    }

    [Fact]
    public async Task Unserved_lists_the_pending_jobs_of_a_flow_version_this_server_lacks_and_every_job_has_its_flowVersion()
    {
        var served = await Host.Scheduler.ScheduleAsync("square", 2, Later);
        var retiredId = Guid.NewGuid().ToString();
        await Host.Scheduler.Store.CreateJobAsync(new Envoy.Runtime.Storage.NewJob(
            retiredId, "square", new StateContext("Square", 3) { JobId = retiredId }.Serialize(), 0, 0, 0, null, null, null) { FlowVersion = "retired" });

        var unserved = await ItemsAsync(Viewer, "/unserved");
        var job = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{served}"));

        Assert.Equal([retiredId], unserved.Select(JobsApi.Id));
        Assert.Equal("retired", unserved[0]["flowVersion"]!.GetValue<string>());
        Assert.Equal("pending", unserved[0]["status"]!.GetValue<string>());
        Assert.Equal(Host.Scheduler.FlowVersions["square"][^1], job["flowVersion"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await Viewer.GetAsync("envoy/api/jobs/unserved?limit=0")).StatusCode);
    }

    private static async Task<List<JsonNode>> ItemsAsync(HttpClient client, string query)
    {
        var page = await Problems.AssertJsonAsync(await client.GetAsync($"envoy/api/jobs{query}"));
        return page["items"]!.AsArray().Select(item => item!).ToList();
    }
}

public sealed class SqliteJobsListApiTests() : JobsListApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsListApiTests(PostgresFixture postgres) : JobsListApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsListApiTests(PostgresFixture postgres, RedisFixture redis) : JobsListApiTests(ApiStore.PostgresRedis(postgres, redis));
