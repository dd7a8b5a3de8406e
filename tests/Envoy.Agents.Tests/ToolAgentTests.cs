using System.Text.Json.Nodes;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ToolAgentTests
{
    private static AgentTool Add() => AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b);

    private static AgentTool Echo() => AgentTool.Create("echo", "Echo a string", (string text) => text);

    [Fact]
    public async Task RunAsync_Native_CallsTheToolAndFinishesWithTheAnswer()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 2 }, "call_1")),
            FakeLlmResponse.Text("2 + 2 = 4"));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add(), Echo()], MaxSteps = 10 });

        var ctx = await agent.RunAsync("What is 2 + 2?");

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Equal(AgentKeys.FinishState, ctx.State);
        Assert.Equal("2 + 2 = 4", ctx.Output<string>());
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(2, ctx.GetAgentModelCalls());
        var first = server.Requests[0];
        Assert.Equal(["add", "echo"], first.ToolNames);
        Assert.Equal("What is 2 + 2?", first.LastMessageText("user"));
        Assert.Contains("careful assistant", first.LastMessageText("system"), StringComparison.Ordinal);
        Assert.Equal([("call_1", "4")], server.Requests[1].ToolResults);
        Assert.Equal("call_1", server.Requests[1].Messages[2]["tool_calls"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_NoToolsNeeded_AnswersInOneModelCall()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("Paris"));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { PlanPrompt = "Answer geography questions.", Model = "geo-model" });

        var ctx = await agent.RunAsync(new { task = "Capital of France?" });

        Assert.Equal("Paris", ctx.Output<string>());
        Assert.Equal(3, ctx.Step);
        var request = Assert.Single(server.Requests);
        Assert.Equal("geo-model", request.Model);
        Assert.Equal("Answer geography questions.", request.LastMessageText("system"));
        Assert.Empty(request.ToolNames);
    }

    [Fact]
    public async Task RunAsync_JsonPlan_FollowsThePlanProtocol()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.Json(new { plan = "Add the numbers.", action = "call_tools", toolCalls = new[] { new { id = "c1", name = "add", arguments = new { a = 2, b = 2 } } } }),
            FakeLlmResponse.Json(new { plan = "Done.", action = "answer", answer = "4" }));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add()], PlanningMode = PlanningMode.JsonPlan });

        var ctx = await agent.RunAsync("What is 2 + 2?");

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Equal("4", ctx.Output<string>());
        var first = server.Requests[0];
        Assert.Equal("json_object", first.ResponseFormat);
        Assert.Empty(first.ToolNames);
        var system = first.LastMessageText("system")!;
        Assert.Contains("\"toolCalls\"", system, StringComparison.Ordinal);
        Assert.Contains("- add: Add two numbers", system, StringComparison.Ordinal);
        var results = server.Requests[1].LastMessageText("user")!;
        Assert.StartsWith(AgentPrompts.ToolResultsHeader, results, StringComparison.Ordinal);
        var parsed = JsonNode.Parse(results[AgentPrompts.ToolResultsHeader.Length..])!.AsArray();
        Assert.Equal("c1", parsed[0]!["id"]!.GetValue<string>());
        Assert.Equal("4", parsed[0]!["result"]!.GetValue<string>());
        Assert.Empty(server.Requests[1].ToolResults);
    }

    [Fact]
    public async Task RunAsync_JsonPlanInvalidJson_AsksAgainThenContinues()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.InvalidJson("I think the answer is {4"), FakeLlmResponse.Json(new { plan = "p", action = "answer", answer = "4" }));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { PlanningMode = PlanningMode.JsonPlan, MaxRetry = 1 });

        var ctx = await agent.RunAsync("2+2?");

        Assert.Equal("4", ctx.Output<string>());
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("could not be used", server.Requests[1].LastMessageText("user"), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", server.Requests[1].LastMessageText("user"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TooManyUnusableReplies_FailsTheRunWithAReason()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Json(new { plan = "hmm" }), FakeLlmResponse.Json(new { plan = "still thinking" }));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { PlanningMode = PlanningMode.JsonPlan, MaxRetry = 1 });

        var ctx = await agent.RunAsync("2+2?");

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Contains("2 unusable replies", ctx.Error, StringComparison.Ordinal);
        Assert.Contains("neither toolCalls nor an answer", ctx.Error, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_NativeEmptyReply_IsAskedAgain()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text(string.Empty), FakeLlmResponse.Text("4"));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add()] });

        var ctx = await agent.RunAsync("2+2?");

        Assert.Equal("4", ctx.Output<string>());
        Assert.Contains("neither text nor tool calls", server.Requests[1].LastMessageText("user"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ParallelToolCalls_RunConcurrently()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("left", new { value = "L" }, "c_left"), new FakeToolCall("right", new { value = "R" }, "c_right")),
            FakeLlmResponse.Text("both done"));

        // Each tool returns only once both are running: run one after the other, the first would time out.
        var arrived = 0;
        var bothRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<string> MeetAsync(string value)
        {
            if (Interlocked.Increment(ref arrived) == 2)
            {
                bothRunning.TrySetResult();
            }

            await bothRunning.Task.WaitAsync(TestSupport.Patience);
            return "met " + value;
        }

        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions
        {
            Tools = [AgentTool.Create("left", "Left", (string value) => MeetAsync(value)), AgentTool.Create("right", "Right", (string value) => MeetAsync(value))],
        });

        var ctx = await agent.RunAsync("go").WaitAsync(TestSupport.Patience * 2);

        Assert.Equal("both done", ctx.Output<string>());
        Assert.Equal([("c_left", "met L"), ("c_right", "met R")], server.Requests[1].ToolResults);
    }

    [Fact]
    public async Task RunAsync_ToolFailures_GoBackToTheModelAndTheRunContinues()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(
                new FakeToolCall("boom", new { input = "x" }, "c_throw"),
                new FakeToolCall("nope", new { }, "c_unknown"),
                new FakeToolCall("add", new { a = "two", b = 2 }, "c_schema"),
                new FakeToolCall("add", "{\"a\": 1,", "c_json"),
                new FakeToolCall("add", new { a = 1, b = 2 }, "c_ok")),
            FakeLlmResponse.Text("recovered"));
        var boom = AgentTool.Create("boom", "Always fails", (string input) => throw new InvalidOperationException("kaput"));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add(), boom] });

        var ctx = await agent.RunAsync("try everything");

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Equal("recovered", ctx.Output<string>());
        var results = server.Requests[1].ToolResults.ToDictionary(r => r.CallId, r => r.Content);
        Assert.Equal(["c_throw", "c_unknown", "c_schema", "c_json", "c_ok"], server.Requests[1].ToolResults.Select(r => r.CallId));
        Assert.Contains("tool 'boom' failed: InvalidOperationException: kaput", results["c_throw"], StringComparison.Ordinal);
        Assert.Contains("unknown tool 'nope'. Available tools: add, boom.", results["c_unknown"], StringComparison.Ordinal);
        Assert.Contains("do not match its schema", results["c_schema"], StringComparison.Ordinal);
        Assert.Contains("/a", results["c_schema"], StringComparison.Ordinal);
        Assert.Contains("not valid JSON", results["c_json"], StringComparison.Ordinal);
        Assert.Equal("3", results["c_ok"]);
        Assert.All(results.Where(r => r.Key != "c_ok"), r => Assert.StartsWith("Error: ", r.Value, StringComparison.Ordinal));
        var round = ctx.GetAgentConversation().Where(m => m.Role == LlmRole.Tool).ToList();
        Assert.Equal(5, round.Count);
    }

    [Fact]
    public async Task RunAsync_SumsTokenUsagePerRunAndPerStep()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 1, b = 1 })) with { InputTokens = 100, OutputTokens = 10 },
            FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 2 })) with { InputTokens = 150, OutputTokens = 12 },
            FakeLlmResponse.Text("4") with { InputTokens = 200, OutputTokens = 3 });
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add()] });

        var ctx = await agent.RunAsync("add twice");

        Assert.Equal(new LlmUsage(450, 25), ctx.GetAgentUsage());
        Assert.Equal(475, ctx.Get<JsonObject>(AgentKeys.Usage)!["totalTokens"]!.GetValue<int>());
        var perStep = ctx.GetAgentStepUsage();
        Assert.Equal([2, 4, 6], perStep.Keys);
        Assert.Equal(new LlmUsage(100, 10), perStep[2]);
        Assert.Equal(new LlmUsage(150, 12), perStep[4]);
        Assert.Equal(new LlmUsage(200, 3), perStep[6]);
        Assert.Equal(3, ctx.GetAgentModelCalls());
    }

    [Fact]
    public async Task Steps_EachModelCallAndEachToolRoundIsItsOwnStep()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 2 })), FakeLlmResponse.Text("4"));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Add()] });
        var states = new List<string>();
        var ctx = agent.NewContext("2+2?");

        while (ctx.Done is null)
        {
            var requestsBefore = server.Requests.Count;
            states.Add(ctx.State);
            ctx = await agent.StepAsync(ctx);
            Assert.True(server.Requests.Count - requestsBefore <= 1, "A step made more than one model call.");
        }

        Assert.Equal(["Start", "Plan", "ToolCall", "Plan", "Finish"], states);
    }

    [Fact]
    public async Task ResumeAfterCommittedToolRound_DoesNotRepeatModelOrToolCalls()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("count", new { }, "c1")), FakeLlmResponse.Text("counted"));
        var runs = 0;
        AgentTool Count() => AgentTool.Create("count", "Count a call", () => Interlocked.Increment(ref runs));
        var firstWorker = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Count()] });

        var ctx = await TestSupport.StepUntilAsync(firstWorker, firstWorker.NewContext("count once"), c => c.State == AgentKeys.PlanState && c.Step == 4);
        var committed = ctx.Serialize();

        // A different process: new provider, new agent, the committed context restored from its JSON.
        var secondWorker = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Count()] });
        var resumed = await secondWorker.ResumeAsync(StateContext.Deserialize(committed));

        Assert.Equal("counted", resumed.Output<string>());
        Assert.Equal(1, runs);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal([("c1", "1")], server.Requests[1].ToolResults);
    }

    [Fact]
    public async Task Approval_Approved_RunsTheToolAfterTheEscalationIsResolved()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("delete", new { path = "/tmp/report.txt" }, "c_del")), FakeLlmResponse.Text("Deleted."));
        var deleted = new List<string>();
        var delete = AgentTool.Create("delete", "Delete a file", (string path) =>
        {
            deleted.Add(path);
            return "deleted " + path;
        }) with { RequiresApproval = true };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [delete], Approver = "ops" });

        var ctx = await TestSupport.StepUntilAsync(agent, agent.NewContext("Delete the report"), c => c.IsWaiting);
        var wait = Assert.Single(ctx.Waits);
        Assert.Equal(WaitTypes.Escalation, wait.Type);
        Assert.Equal("ops", wait.Params!["user"]!.GetValue<string>());
        var message = wait.Params!["message"]!.GetValue<string>();
        Assert.Contains("'delete'", message, StringComparison.Ordinal);
        Assert.Contains("/tmp/report.txt", message, StringComparison.Ordinal);
        Assert.Empty(deleted);

        ctx = StateContext.Deserialize(ctx.Serialize());
        ctx.Resolve(wait.Id, new Dictionary<string, object?> { [AgentKeys.ApproveInput] = true });
        ctx = await agent.ResumeAsync(ctx);

        Assert.Equal(["/tmp/report.txt"], deleted);
        Assert.Equal("Deleted.", ctx.Output<string>());
        Assert.Equal([("c_del", "deleted /tmp/report.txt")], server.Requests[1].ToolResults);
    }

    [Fact]
    public async Task Approval_Rejected_SkipsTheToolAndTellsTheModel()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("delete", new { path = "/etc/passwd" }, "c_del"), new FakeToolCall("echo", new { text = "hi" }, "c_echo")),
            FakeLlmResponse.Text("I did not delete it."));
        var deleted = new List<string>();
        var delete = AgentTool.Create("delete", "Delete a file", (string path) =>
        {
            deleted.Add(path);
            return "deleted";
        }) with { RequiresApproval = true };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [delete, Echo()] });

        var ctx = await TestSupport.StepUntilAsync(agent, agent.NewContext("Delete passwd"), c => c.IsWaiting);
        ctx.Reject(Assert.Single(ctx.WaitingFor), "rejected", new Dictionary<string, object?> { [AgentKeys.CommentInput] = "Never touch /etc." });
        ctx = await agent.ResumeAsync(ctx);

        Assert.Empty(deleted);
        Assert.Equal(DoneReason.Finished, ctx.Done);
        var results = server.Requests[1].ToolResults.ToDictionary(r => r.CallId, r => r.Content);
        Assert.Equal("Error: a human rejected this call: Never touch /etc.", results["c_del"]);
        Assert.Equal("hi", results["c_echo"]);
    }

    [Fact]
    public async Task Approval_InProcessRun_ThrowsBecauseEscalationsNeedTheScheduler()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("delete", new { path = "x" })));
        var delete = AgentTool.Create("delete", "Delete", (string path) => path) with { RequiresApproval = true };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [delete] });

        var error = await Assert.ThrowsAsync<StateFlowException>(() => agent.RunAsync("delete x"));

        Assert.Contains("escalation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ModelKeepsCallingTools_StopsAtMaxSteps()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Responder = request => FakeLlmResponse.WithToolCalls(new FakeToolCall("echo", new { text = "again" }));
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Tools = [Echo()], MaxSteps = 5 });

        var ctx = await agent.RunAsync("loop");

        Assert.Equal(DoneReason.MaxSteps, ctx.Done);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task RunAsync_LlmErrorAfterRetries_FailsTheStep()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Error(401, "invalid_request_error", "invalid_api_key", "Bad key."));
        var agent = new ToolAgent(TestSupport.Provider(server));

        var error = await Assert.ThrowsAsync<StateFlowException>(() => agent.RunAsync("hi"));

        Assert.Equal(AgentKeys.PlanState, error.State);
        Assert.Equal(401, Assert.IsType<LlmException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Plugins_RunAroundTheAgentsStates()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("ok"));
        var seen = new List<string>();
        var plugin = new StateFlowPlugin("trace") { OnEnter = async ctx => { seen.Add(ctx.State); return ctx; } };
        var agent = new ToolAgent(TestSupport.Provider(server), new AgentOptions { Plugins = [plugin] });

        await agent.RunAsync("hi");

        Assert.Equal(["Start", "Plan", "Finish"], seen);
    }

    [Fact]
    public void Agent_IsAStateFlowWithTheDocumentedGraph()
    {
        var provider = new ChatClientProvider(new ScriptedChatClient(_ => throw new InvalidOperationException("unused")));
        var agent = new ToolAgent(provider);
        StateFlow flow = agent;

        Assert.Same(agent.Flow, flow);
        Assert.Equal(["Start", "Plan", "ToolCall", "Finish"], flow.Nodes.Select(n => n.Name));
        var mermaid = agent.ToMermaid();
        Assert.Contains("Plan -->|tool calls| ToolCall", mermaid, StringComparison.Ordinal);
        Assert.Contains("ToolCall --> Plan", mermaid, StringComparison.Ordinal);
        Assert.Contains("Plan -->|answer| Finish", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Invalid_ListsEveryProblem()
    {
        var provider = new ChatClientProvider(new ScriptedChatClient(_ => throw new InvalidOperationException("unused")));

        var error = Assert.Throws<StateFlowValidationException>(() => new ToolAgent(provider, new AgentOptions { Tools = [Add(), Add()], MaxSteps = 0, MaxRetry = -1 }));

        Assert.Contains("'add' is declared twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSteps", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WithoutTask_FailsWithAClearMessage()
    {
        await using var server = await FakeLlmServer.StartAsync();
        var agent = new ToolAgent(TestSupport.Provider(server));

        var ctx = await agent.RunAsync();

        Assert.Equal(DoneReason.Error, ctx.Done);
        Assert.Contains("needs a task", ctx.Error, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}
