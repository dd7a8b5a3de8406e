using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ScheduledAgentApprovalTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ScheduledAgent_ApprovalAnsweredThroughTheScheduler_RunsOrSkipsTheTool(bool approve)
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("deploy", new { version = "1.2.3" }, "c_deploy")), FakeLlmResponse.Text("Finished."));
        var deployed = new List<string>();
        var deploy = AgentTool.Create("deploy", "Deploy a version", (string version) =>
        {
            lock (deployed)
            {
                deployed.Add(version);
            }

            return "deployed " + version;
        }) with { RequiresApproval = true };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [deploy], Approver = "release-manager" });
        await using var scheduler = await Scheduler.InitAsync(new SchedulerConfig { Sqlite = new SqliteConfig { Path = ":memory:" }, Concurrency = 2 });
        scheduler.AddFlow("deployer", agent);
        using var stop = new CancellationTokenSource(TestSupport.Patience);
        var escalationCreated = WaitForEscalationAsync(scheduler, stop.Token);
        await scheduler.StartAsync();

        var id = await scheduler.ScheduleAsync("deployer", "Deploy 1.2.3");
        var escalation = await escalationCreated;

        Assert.Equal(id, escalation.JobId);
        Assert.Equal("release-manager", escalation.User);
        Assert.Contains("'deploy'", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("1.2.3", escalation.Message, StringComparison.Ordinal);
        Assert.Empty(deployed);
        var values = new Dictionary<string, object?> { [AgentKeys.ApproveInput] = approve, [AgentKeys.CommentInput] = approve ? "go" : "Not on a Friday." };
        await scheduler.ReplyToEscalationAsync(escalation.Id, values, approve ? EscalationDecision.Approved : EscalationDecision.Rejected);
        var job = await scheduler.WaitForJobAsync(id, TestSupport.Patience);

        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal("Finished.", job.Context.Output<string>());
        var result = Assert.Single(server.Requests[1].ToolResults);
        if (approve)
        {
            Assert.Equal(["1.2.3"], deployed);
            Assert.Equal(("c_deploy", "deployed 1.2.3"), result);
        }
        else
        {
            Assert.Empty(deployed);
            Assert.Equal(("c_deploy", "Error: a human rejected this call: Not on a Friday."), result);
        }
    }

    private static async Task<Escalation> WaitForEscalationAsync(Scheduler scheduler, CancellationToken cancellationToken)
    {
        await foreach (var e in scheduler.ReadEventsAsync(cancellationToken))
        {
            if (e is EscalationCreatedEvent created)
            {
                return created.Escalation;
            }
        }

        throw new InvalidOperationException("The scheduler's events ended without an escalation.");
    }
}
