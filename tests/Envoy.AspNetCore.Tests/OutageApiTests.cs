using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Envoy.AspNetCore.Tests.Harness;
using Envoy.TestServers;
using Xunit.Abstractions;

namespace Envoy.AspNetCore.Tests;

/// <summary>A PostgreSQL server of its own, which the outage test stops and starts again.</summary>
public sealed class OutagePostgres : PostgresFixture;

/// <summary>A Redis server of its own, which the outage test stops and starts again.</summary>
public sealed class OutageRedis : RedisFixture;

/// <summary>What an outage test measures of one request.</summary>
internal sealed record Timed(HttpStatusCode Status, TimeSpan Elapsed, JsonNode? Body, string? MediaType)
{
    public static async Task<Timed> GetAsync(HttpClient client, string path)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        clock.Stop();
        return new Timed(response.StatusCode, clock.Elapsed, text.Length == 0 ? null : JsonNode.Parse(text), response.Content.Headers.ContentType?.MediaType);
    }

    public override string ToString() => $"{(int)Status} in {Elapsed.TotalMilliseconds:0} ms: {Body?.ToJsonString()}";
}

/// <summary>
/// PostgreSQL stopped while the API serves: <c>/envoy/healthz</c> says 503 within its timeout, store requests end with
/// <c>503 store_unavailable</c> within <see cref="EnvoyServerOptions.RequestTimeout"/> (none hangs through the store's own
/// 30 s of retries), and after the server is back health is 200 and jobs scheduled before the outage complete.
/// </summary>
public sealed class PostgresOutageApiTests(OutagePostgres postgres, ITestOutputHelper output)
    : ApiTestBase(ApiStore.Postgres(postgres)), IClassFixture<OutagePostgres>
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Room on top of a timeout for a loaded 2-core machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    protected override void ConfigureServer(EnvoyServerOptions options) => options.RequestTimeout = RequestTimeout;

    [Fact]
    public async Task While_postgres_is_down_health_is_503_requests_fail_fast_and_no_job_is_lost()
    {
        var before = await Timed.GetAsync(Anonymous, "envoy/healthz");
        Assert.True(before.Status == HttpStatusCode.OK, before.ToString());
        var waiting = await Host.Scheduler.ScheduleAsync("wait");
        await Eventually.UntilAsync(() => Host.Scheduler.GetJobStatusAsync(waiting), s => s == JobStatus.Blocking, "the wait job to block");
        // Comes due while the server is down.
        var delayed = await Host.Scheduler.ScheduleAsync("hello", options: new ScheduleOptions { Delay = TimeSpan.FromSeconds(2) });

        await postgres.Server.StopAsync();
        try
        {
            var health = await Timed.GetAsync(Anonymous, "envoy/healthz");
            output.WriteLine($"healthz while down: {health}");
            Assert.True(health.Status == HttpStatusCode.ServiceUnavailable, health.ToString());
            Assert.Equal("unhealthy", health.Body!["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", health.Body!["checks"]!["store"]!.GetValue<string>());
            Assert.True(health.Elapsed < EnvoyServerOptions.DefaultHealthCheckTimeout + Slack, health.ToString());

            foreach (var path in new[] { $"envoy/api/jobs/{waiting}", "envoy/api/escalations", "envoy/api/escalations/some-id" })
            {
                var answer = await Timed.GetAsync(Viewer, path);
                output.WriteLine($"GET {path} while down: {answer}");
                Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"{path}: {answer}");
                Assert.Equal("application/problem+json", answer.MediaType);
                Assert.Equal("store_unavailable", answer.Body!["code"]!.GetValue<string>());
                Assert.True(answer.Elapsed < RequestTimeout + Slack, $"{path}: {answer}");
            }

            // What needs no store still answers.
            var flows = await Timed.GetAsync(Viewer, "envoy/api/flows");
            Assert.True(flows.Status == HttpStatusCode.OK, flows.ToString());
        }
        finally
        {
            await postgres.Server.StartAgainAsync();
        }

        var after = await Eventually.UntilAsync(() => Timed.GetAsync(Anonymous, "envoy/healthz"), t => t.Status == HttpStatusCode.OK, "healthz to be 200 again", TimeSpan.FromSeconds(60));
        output.WriteLine($"healthz after restart: {after}");
        Assert.Equal("healthy", after.Body!["checks"]!["store"]!.GetValue<string>());

        await Host.Scheduler.ResolveBlockingJobAsync(waiting, "signal", "after the outage");
        var resolved = await Host.Scheduler.WaitForJobAsync(waiting, TimeSpan.FromSeconds(60));
        var hello = await Host.Scheduler.WaitForJobAsync(delayed, TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Done, resolved.Status);
        Assert.Equal("after the outage", resolved.Context.Output<string>());
        Assert.Equal(JobStatus.Done, hello.Status);
        Assert.Equal("Hello! Middle! End!", hello.Context.Output<string>());
        var job = await Problems.AssertJsonAsync(await Viewer.GetAsync($"envoy/api/jobs/{waiting}"));
        Assert.Equal("done", job["status"]!.GetValue<string>());
    }
}

/// <summary>
/// Redis stopped under a PostgreSQL + Redis host: <c>/envoy/healthz</c> says 503 with <c>redis</c> unhealthy and the store
/// healthy, jobs still run through PostgreSQL, and health is 200 again once Redis is back.
/// </summary>
[Collection(SharedServers.Name)]
public sealed class RedisOutageApiTests(PostgresFixture postgres, OutageRedis redis, ITestOutputHelper output)
    : ApiTestBase(ApiStore.PostgresRedis(postgres, redis)), IClassFixture<OutageRedis>
{
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task While_redis_is_down_health_is_503_naming_redis_and_jobs_still_run()
    {
        var before = await Timed.GetAsync(Anonymous, "envoy/healthz");
        Assert.True(before.Status == HttpStatusCode.OK, before.ToString());
        Assert.Equal("healthy", before.Body!["checks"]!["redis"]!.GetValue<string>());

        await redis.Server.StopAsync();
        try
        {
            var health = await Eventually.UntilAsync(
                async () =>
                {
                    var answer = await Timed.GetAsync(Anonymous, "envoy/healthz");
                    Assert.True(answer.Elapsed < EnvoyServerOptions.DefaultHealthCheckTimeout + Slack, answer.ToString());
                    return answer;
                },
                t => t.Status == HttpStatusCode.ServiceUnavailable,
                "healthz to be 503");
            output.WriteLine($"healthz while Redis is down: {health}");
            Assert.Equal("unhealthy", health.Body!["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", health.Body!["checks"]!["redis"]!.GetValue<string>());
            Assert.Equal("healthy", health.Body!["checks"]!["store"]!.GetValue<string>());

            var id = await Host.Scheduler.ScheduleAsync("hello");
            var job = await Host.Scheduler.WaitForJobAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal(JobStatus.Done, job.Status);
            var read = await Timed.GetAsync(Viewer, $"envoy/api/jobs/{id}");
            output.WriteLine($"GET job while Redis is down: {read}");
            Assert.True(read.Status == HttpStatusCode.OK, read.ToString());
            Assert.Equal("done", read.Body!["status"]!.GetValue<string>());
        }
        finally
        {
            await redis.Server.StartAgainAsync();
        }

        var after = await Eventually.UntilAsync(() => Timed.GetAsync(Anonymous, "envoy/healthz"), t => t.Status == HttpStatusCode.OK, "healthz to be 200 again", TimeSpan.FromSeconds(60));
        output.WriteLine($"healthz after Redis is back: {after}");
        Assert.Equal("healthy", after.Body!["checks"]!["redis"]!.GetValue<string>());
    }
}
