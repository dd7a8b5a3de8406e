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
                Assert.True(answer.Elapsed < RequestTimeout + Errors.RequestTimeoutFilter.Grace + Slack, $"{path}: {answer}");
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

    [Fact]
    public async Task While_postgres_is_frozen_health_and_requests_answer_within_their_timeouts()
    {
        var waiting = await Host.Scheduler.ScheduleAsync("wait");
        await Eventually.UntilAsync(() => Host.Scheduler.GetJobStatusAsync(waiting), s => s == JobStatus.Blocking, "the wait job to block");
        // Idle pooled connections to live backends: a frozen server answers neither them nor new connections.
        Assert.Equal(HttpStatusCode.OK, (await Timed.GetAsync(Viewer, $"envoy/api/jobs/{waiting}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Timed.GetAsync(Anonymous, "envoy/healthz")).Status);

        var frozen = Freeze(postgres.Server.Pid);
        try
        {
            var health = await Timed.GetAsync(Anonymous, "envoy/healthz");
            output.WriteLine($"healthz while frozen: {health}");
            Assert.True(health.Status == HttpStatusCode.ServiceUnavailable, health.ToString());
            Assert.Equal("unhealthy", health.Body!["checks"]!["store"]!.GetValue<string>());
            Assert.True(health.Elapsed < EnvoyServerOptions.DefaultHealthCheckTimeout + Slack, health.ToString());

            var read = await Timed.GetAsync(Viewer, $"envoy/api/jobs/{waiting}");
            output.WriteLine($"GET job while frozen: {read}");
            Assert.True(read.Status == HttpStatusCode.ServiceUnavailable, read.ToString());
            Assert.Equal("store_unavailable", read.Body!["code"]!.GetValue<string>());
            Assert.True(read.Elapsed < RequestTimeout + Errors.RequestTimeoutFilter.Grace + Slack, read.ToString());
        }
        finally
        {
            Signal(frozen, "CONT");
        }

        await Eventually.UntilAsync(() => Timed.GetAsync(Anonymous, "envoy/healthz"), t => t.Status == HttpStatusCode.OK, "healthz to be 200 again", TimeSpan.FromSeconds(60));
        await Host.Scheduler.ResolveBlockingJobAsync(waiting, "signal", "thawed");
        Assert.Equal(JobStatus.Done, (await Host.Scheduler.WaitForJobAsync(waiting, TimeSpan.FromSeconds(60))).Status);
    }

    /// <summary>SIGSTOPs the postmaster, then every process it started; returns them all (for SIGCONT).</summary>
    private static List<int> Freeze(int postmaster)
    {
        Signal([postmaster], "STOP");
        var children = Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ParentOf(pid) == postmaster)
            .ToList();
        Signal(children, "STOP");
        return [postmaster, .. children];
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static void Signal(IReadOnlyCollection<int> pids, string signal)
    {
        if (pids.Count == 0)
        {
            return;
        }

        using var kill = Process.Start("kill", ["-" + signal, .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
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
