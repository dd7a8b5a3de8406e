using System.Net;
using System.Text;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests;

/// <summary><c>/recurring</c>: list, set, remove, trigger, with the API's auth and problem codes, on every store.</summary>
public abstract class RecurringApiTests(ApiStore store) : ApiTestBase(store)
{
    private static Task<HttpResponseMessage> PutJsonAsync(HttpClient client, string path, string json) =>
        client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static string NewId() => "nightly-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Put_creates_then_updates_and_the_list_shows_it()
    {
        var id = NewId();

        var created = await Problems.AssertJsonAsync(
            await PutJsonAsync(Alice, $"envoy/api/recurring/{id}", """{ "flow": "square", "cron": "0 2 * * *", "input": 7, "timeZone": "Europe/Berlin", "priority": 2 }"""),
            HttpStatusCode.Created);
        var updated = await Problems.AssertJsonAsync(
            await PutJsonAsync(Alice, $"envoy/api/recurring/{id}", """{ "flow": "square", "cron": "*/10 * * * * *", "input": 8, "enabled": false }"""));
        var list = (await Problems.AssertJsonAsync(await Viewer.GetAsync("envoy/api/recurring"))).AsArray();

        Assert.Equal(id, created["id"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", created["timeZone"]!.GetValue<string>());
        Assert.Equal(2, created["priority"]!.GetValue<int>());
        Assert.True(created["enabled"]!.GetValue<bool>());
        Assert.EndsWith("Z", created["nextRunAt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("*/10 * * * * *", updated["cron"]!.GetValue<string>());
        Assert.False(updated["enabled"]!.GetValue<bool>());
        Assert.Null(updated["nextRunAt"]);
        var listed = Assert.Single(list, s => s!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(("square", "UTC", 8), (listed["flow"]!.GetValue<string>(), listed["timeZone"]!.GetValue<string>(), listed["input"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Trigger_runs_it_once_now_and_answers_the_job()
    {
        var id = NewId();
        await Problems.AssertJsonAsync(await PutJsonAsync(Alice, $"envoy/api/recurring/{id}", """{ "flow": "square", "cron": "0 0 1 1 *", "input": 6 }"""), HttpStatusCode.Created);

        var response = await Alice.PostAsync($"envoy/api/recurring/{id}/trigger", null);
        var job = await Problems.AssertJsonAsync(response, HttpStatusCode.Created);

        var jobId = job["id"]!.GetValue<string>();
        Assert.Equal("square", job["flow"]!.GetValue<string>());
        Assert.Equal($"/envoy/api/jobs/{jobId}", response.Headers.Location!.OriginalString);
        var done = await Host.Scheduler.WaitForJobAsync(jobId, TimeSpan.FromSeconds(20));
        Assert.Equal(36, done.Context.Output<int>());
        var schedule = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/recurring/{id}"));
        Assert.Equal(jobId, schedule["lastJobId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_removes_it_and_an_unknown_id_is_404_recurring_not_found_for_any_caller()
    {
        var id = NewId();
        await Problems.AssertJsonAsync(await PutJsonAsync(Alice, $"envoy/api/recurring/{id}", """{ "flow": "hello", "cron": "@daily" }"""), HttpStatusCode.Created);

        var forbidden = await Viewer.DeleteAsync($"envoy/api/recurring/{id}");
        var deleted = await Alice.DeleteAsync($"envoy/api/recurring/{id}");

        await Problems.AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var missing = await Problems.AssertProblemAsync(await Viewer.DeleteAsync($"envoy/api/recurring/{id}"), HttpStatusCode.NotFound, "recurring_not_found");
        Assert.Contains(id, missing["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await Problems.AssertProblemAsync(await Viewer.PostAsync($"envoy/api/recurring/{id}/trigger", null), HttpStatusCode.NotFound, "recurring_not_found");
        await Problems.AssertProblemAsync(await Viewer.GetAsync($"envoy/api/recurring/{id}"), HttpStatusCode.NotFound, "recurring_not_found");
    }

    [Fact]
    public async Task Bad_cron_time_zone_flow_and_body_are_refused_with_their_codes_and_nothing_is_stored()
    {
        var id = NewId();
        var path = $"envoy/api/recurring/{id}";

        var cron = await Problems.AssertProblemAsync(await PutJsonAsync(Alice, path, """{ "flow": "hello", "cron": "61 * * * *" }"""), HttpStatusCode.BadRequest, "invalid_cron");
        var zone = await Problems.AssertProblemAsync(await PutJsonAsync(Alice, path, """{ "flow": "hello", "cron": "* * * * *", "timeZone": "Mars/Olympus" }"""), HttpStatusCode.BadRequest, "invalid_time_zone");
        var flow = await Problems.AssertProblemAsync(await PutJsonAsync(Alice, path, """{ "flow": "nope", "cron": "* * * * *" }"""), HttpStatusCode.NotFound, "flow_not_found");
        var missing = await Problems.AssertProblemAsync(await PutJsonAsync(Alice, path, """{ "flow": "hello" }"""), HttpStatusCode.BadRequest, "invalid_body");
        await Problems.AssertProblemAsync(await PutJsonAsync(Viewer, path, """{ "flow": "hello", "cron": "* * * * *" }"""), HttpStatusCode.Forbidden, "forbidden");
        await Problems.AssertProblemAsync(await PutJsonAsync(Anonymous, path, """{ "flow": "hello", "cron": "* * * * *" }"""), HttpStatusCode.Unauthorized, "unauthorized");
        await Problems.AssertProblemAsync(await Anonymous.GetAsync("envoy/api/recurring"), HttpStatusCode.Unauthorized, "unauthorized");

        Assert.Contains("61 * * * *", cron["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", zone["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("nope", flow["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("cron", missing["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(await Host.Scheduler.ListRecurringAsync(), s => s.Id == id);
    }
}

public sealed class SqliteRecurringApiTests() : RecurringApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresRecurringApiTests(PostgresFixture postgres) : RecurringApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisRecurringApiTests(PostgresFixture postgres, RedisFixture redis) : RecurringApiTests(ApiStore.PostgresRedis(postgres, redis));
