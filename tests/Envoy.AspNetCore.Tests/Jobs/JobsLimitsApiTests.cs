using System.Net;
using System.Text;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;

namespace Envoy.AspNetCore.Tests.Jobs;

/// <summary>Small limits (a 4 KiB body, a 2 KiB context), to test them cheaply: 413 for a body, 400 naming the value for a context.</summary>
public abstract class JobsLimitsApiTests(ApiStore store) : ApiTestBase(store)
{
    private const int MaxBody = 4096;

    protected override void ConfigureServer(EnvoyServerOptions options) => options.MaxBodyBytes = MaxBody;

    protected override void ConfigureScheduler(SchedulerConfig config) => config.MaxContextBytes = 2048;

    [Fact]
    public async Task A_body_over_the_limit_is_413_body_too_large_with_or_without_a_length()
    {
        var big = $$"""{ "flow": "hello", "input": "{{new string('x', MaxBody)}}" }""";

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync("envoy/api/jobs", big), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        using var chunked = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(big)));
        chunked.Headers.ContentType = new("application/json");
        var response = await Alice.PostAsync("envoy/api/jobs", chunked);
        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body_too_large");

        Assert.Empty(await Host.Scheduler.ListJobsAsync());
        await Alice.ScheduleAsync("""{ "flow": "hello" }""");
    }

    [Fact]
    public async Task An_input_over_MaxContextBytes_is_400_invalid_body_naming_input_and_creates_nothing()
    {
        var body = $$"""{ "flow": "square", "input": "{{new string('x', 3000)}}" }""";

        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync("envoy/api/jobs", body), "invalid_body", "input");

        Assert.Empty(await Host.Scheduler.ListJobsAsync());
    }

    [Fact]
    public async Task A_wait_value_over_MaxContextBytes_is_400_invalid_body_naming_value_and_changes_nothing()
    {
        var id = JobsApi.Id(await Alice.ScheduleAsync("""{ "flow": "wait" }"""));
        await Alice.WaitForStatusAsync(id, "blocking");

        await JobsApi.AssertNamesAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/waits/signal/resolve", $$"""{ "value": "{{new string('v', 3000)}}" }"""), "invalid_body", "value");

        Assert.Equal(JobStatus.Blocking, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task A_fail_body_over_the_limit_is_413_and_changes_nothing()
    {
        var id = await Host.Scheduler.ScheduleAsync("hello", null, new ScheduleOptions { Delay = TimeSpan.FromHours(1) });

        await Problems.AssertProblemAsync(await Alice.PostJsonAsync($"envoy/api/jobs/{id}/fail", $$"""{ "reason": "{{new string('r', MaxBody)}}" }"""), HttpStatusCode.RequestEntityTooLarge, "body_too_large");

        Assert.Equal(JobStatus.Pending, (await Host.Scheduler.GetJobAsync(id)).Status);
    }

    /// <summary>A stream without a length, so that the client sends the body chunked (no Content-Length to refuse up front).</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

public sealed class SqliteJobsLimitsApiTests() : JobsLimitsApiTests(ApiStore.Sqlite());

[Collection(SharedServers.Name)]
public sealed class PostgresJobsLimitsApiTests(PostgresFixture postgres) : JobsLimitsApiTests(ApiStore.Postgres(postgres));

[Collection(SharedServers.Name)]
public sealed class PostgresRedisJobsLimitsApiTests(PostgresFixture postgres, RedisFixture redis) : JobsLimitsApiTests(ApiStore.PostgresRedis(postgres, redis));
