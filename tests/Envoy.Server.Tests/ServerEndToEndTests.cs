using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Envoy.Server.Tests.Harness;

namespace Envoy.Server.Tests;

/// <summary>
/// End to end through the real <c>Envoy.Server</c> process and its HTTP API: schedule a sample flow, read it back until it
/// ends, answer an escalation, and an API-only node whose jobs a worker elsewhere runs.
/// </summary>
public sealed class ServerEndToEndTests
{
    [Fact]
    public async Task Hello_ScheduledThroughTheApi_EndsWithItsOutput()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();
        using var client = server.Client();

        var created = await PostAsync(client, "envoy/api/jobs", """{"flow":"hello"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body!["id"]!.GetValue<string>();
        Assert.Equal($"/envoy/api/jobs/{id}", created.Location);
        Assert.Equal("hello", created.Body["flow"]?.GetValue<string>());

        var job = await UntilStatusAsync(client, id, "done");
        Assert.Equal("Hello! Middle! End!", job["output"]?.GetValue<string>());
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Approval_AnsweredThroughTheApi_EndsWithTheDecisionAndNote()
    {
        await using var server = ServerProcess.Start();
        await server.WaitUntilReadyAsync();
        using var client = server.Client();

        var created = await PostAsync(client, "envoy/api/jobs", """{"flow":"approval","input":{"user":"alice","amount":30}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body!["id"]!.GetValue<string>();
        var escalation = await Waiting.UntilAsync(
            async () => (JsonNode.Parse(await client.GetStringAsync("envoy/api/escalations?status=pending")) as JsonArray)?.FirstOrDefault(e => e?["jobId"]?.GetValue<string>() == id),
            e => e is not null,
            TimeSpan.FromMinutes(1),
            $"the escalation of job {id}");
        Assert.Equal("Approve 30?", escalation!["message"]?.GetValue<string>());

        var reply = await PostAsync(client, $"envoy/api/escalations/{escalation["id"]!.GetValue<string>()}/reply", """{"decision":"approved","values":{"decision":true,"note":"fine"}}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("root", reply.Body?["repliedBy"]?.GetValue<string>());

        var job = await UntilStatusAsync(client, id, "done");
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["status"] = "approved", ["note"] = "fine" }, job["output"]), job.ToJsonString());
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task ApiOnlyProcess_JobStaysPendingUntilAWorkerOnTheSameStoreRunsIt()
    {
        await using var server = ServerProcess.Start(variables: new Dictionary<string, string?> { ["Envoy__Server__RunWorkers"] = "false" });
        await server.WaitUntilReadyAsync();
        Assert.Contains("API-only node", server.Output, StringComparison.Ordinal);
        using var client = server.Client();

        // A node with workers starts a job scheduled through it at once (eager start); an API-only node stores it pending.
        var created = await PostAsync(client, "envoy/api/jobs", """{"flow":"hello"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("pending", created.Body?["status"]?.GetValue<string>());
        var id = created.Body!["id"]!.GetValue<string>();

        await using var worker = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = server.DatabasePath } });
        // Its own "hello": the same shape (Start -> Middle -> End), so the same flow version, which a job runs only on; another
        // output shows which process ran the job.
        worker.AddFlow("hello", new StateFlow(
        [
            new State("Start") { OnState = async ctx => ctx.Output("run by the worker"), Router = Router.Next("Middle") },
            new State("Middle") { OnState = async ctx => ctx, Router = Router.Next("End") },
            new State("End") { OnState = async ctx => ctx, Router = Router.End },
        ]));
        Assert.Equal(created.Body?["flowVersion"]?.GetValue<string>(), Assert.Single(worker.FlowVersions["hello"]));
        await worker.StartAsync();

        var job = await UntilStatusAsync(client, id, "done");
        Assert.Equal("run by the worker", job["output"]?.GetValue<string>());
        Assert.Equal(0, await server.StopAsync());
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string? Location)> PostAsync(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers.Location?.OriginalString);
    }

    private static async Task<JsonNode> UntilStatusAsync(HttpClient client, string id, string status) =>
        (await Waiting.UntilAsync(
            async () => JsonNode.Parse(await client.GetStringAsync($"envoy/api/jobs/{id}")),
            j => j?["status"]?.GetValue<string>() == status,
            TimeSpan.FromMinutes(1),
            $"job {id} to be {status}"))!;
}
