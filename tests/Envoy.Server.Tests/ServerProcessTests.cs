using System.Net;
using System.Text.Json.Nodes;
using Envoy.Server.Tests.Harness;

namespace Envoy.Server.Tests;

/// <summary>
/// The real <c>Envoy.Server</c> process (<c>dotnet Envoy.Server.dll --urls ...</c>): its ready line, authentication in Production and
/// Development, its answers, its configuration errors, and its graceful stop on SIGTERM.
/// </summary>
public sealed class ServerProcessTests
{
    [Fact]
    public async Task Start_PrintsTheReadyLineWithTheBoundAddress_AndSigtermExitsZero()
    {
        await using var server = ServerProcess.Start();

        var line = await server.WaitUntilReadyAsync();

        Assert.Equal($"Envoy is ready: http://127.0.0.1:{server.Port}/envoy/ (API: http://127.0.0.1:{server.Port}/envoy/api, health: http://127.0.0.1:{server.Port}/envoy/healthz)", line);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Healthz_AnswersAnonymouslyWith200Healthy()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();

        using var anonymous = server.Client(key: null);
        using var response = await anonymous.GetAsync("envoy/healthz");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("healthy", JsonNode.Parse(body)?["status"]?.GetValue<string>());
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task WithoutAStorePath_UsesEnvoyDbInTheWorkingDirectory()
    {
        await using var server = ServerProcess.Start(variables: new Dictionary<string, string?> { ["Envoy__Sqlite__Path"] = null });
        await server.WaitUntilReadyAsync();

        Assert.True(File.Exists(Path.Combine(server.Folder, "envoy.db")), server.Describe());
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Production_AnonymousRequest_Is401_AndTheKeyIsAccepted()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();

        using var anonymous = server.Client(key: null);
        await AssertProblemAsync(await anonymous.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.Unauthorized, "unauthorized");
        using var admin = server.Client();
        await AssertProblemAsync(await admin.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.NotFound, "job_not_found");

        Assert.DoesNotContain("anyone on this machine", server.Output, StringComparison.Ordinal);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Production_WithoutAnyKey_SaysOnlyHealthzAnswers()
    {
        await using var server = ServerProcess.Start(withKey: false);
        await server.WaitUntilReadyAsync();

        Assert.Contains("No API key is configured", server.Output, StringComparison.Ordinal);
        Assert.Contains("only /envoy/healthz will answer", server.Output, StringComparison.Ordinal);
        using var anonymous = server.Client(key: null);
        await AssertProblemAsync(await anonymous.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Development_AnonymousLoopbackActsAsAdminLocal_AndSaysSo()
    {
        await using var server = ServerProcess.Start(environment: "Development", withKey: false);
        await server.WaitUntilReadyAsync();

        Assert.Contains("anyone on this machine acts as admin 'local'", server.Output, StringComparison.Ordinal);
        using var anonymous = server.Client(key: null);
        await AssertProblemAsync(await anonymous.GetAsync("envoy/api/jobs/nope"), HttpStatusCode.NotFound, "job_not_found");
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Sigterm_WhileAStepRuns_LetsTheStepFinishAndExitsZero()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();
        await using var scheduler = await LocalSchedulerAsync(server);
        var id = await scheduler.ScheduleAsync("slow", 3000);
        await Waiting.UntilRunningAsync(scheduler, id);

        Assert.Equal(0, await server.StopAsync(seconds: 60));

        var job = await scheduler.GetJobAsync(id);
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("slept", job.Context.Output<string>());
    }

    [Fact]
    public async Task Sigterm_StepOutlastsTheShutdownTimeout_JobIsGivenBackAndTheProcessExitsZero()
    {
        await using var server = ServerProcess.Start(args: ["--shutdownTimeoutSeconds", "2"]);
        await server.WaitUntilReadyAsync();
        await using var scheduler = await LocalSchedulerAsync(server);
        var id = await scheduler.ScheduleAsync("slow", 600_000);
        await Waiting.UntilRunningAsync(scheduler, id);

        Assert.Equal(0, await server.StopAsync(seconds: 30));

        Assert.Equal(JobStatus.Pending, (await scheduler.GetJobAsync(id)).Status);
    }

    [Fact]
    public async Task InvalidConfiguration_ExitsWithCode2ListingEveryProblem()
    {
        await using var server = ServerProcess.Start(variables: new Dictionary<string, string?>
        {
            ["Envoy__Postgres__ConnectionString"] = "Host=127.0.0.1;Port=1",
            ["Envoy__Scheduler__Concurrency"] = "many",
            ["Envoy__Scheduler__MaxRetries"] = "-1",
            ["Envoy__Server__ApiKeys__1__Key"] = "k2",
            ["Envoy__Server__ApiKeys__1__User"] = "bob",
            ["Envoy__Server__ApiKeys__1__Role"] = "boss",
        });

        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromMinutes(2)));

        var errors = server.Errors;
        Assert.Contains("Envoy.Server cannot start: the configuration has 4 problems:", errors, StringComparison.Ordinal);
        Assert.Contains("Choose one store: Sqlite or Postgres, not both.", errors, StringComparison.Ordinal);
        Assert.Contains("Envoy:Scheduler:Concurrency", errors, StringComparison.Ordinal);
        Assert.Contains("MaxRetries cannot be negative", errors, StringComparison.Ordinal);
        Assert.Contains("Envoy:Server:ApiKeys:1:Role 'boss'", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Envoy is ready", server.Output, StringComparison.Ordinal);
    }

    /// <summary>A scheduler in this test process on the server's SQLite file, not started: it schedules and reads, the server runs.</summary>
    private static async Task<Scheduler> LocalSchedulerAsync(ServerProcess server)
    {
        var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = server.DatabasePath } });
        scheduler.AddFlow("slow", SampleFlows.Slow(TimeProvider.System));
        return scheduler;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, JsonNode.Parse(body)?["code"]?.GetValue<string>());
    }
}
