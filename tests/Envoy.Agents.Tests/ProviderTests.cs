using System.Text.Json.Nodes;
using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class ProviderTests
{
    [Fact]
    public async Task GenerateAsync_PlainText_ReturnsTextUsageAndSendsTheConversation()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("Hello there.") with { InputTokens = 12, OutputTokens = 3 });
        var provider = TestSupport.Provider(server, new LlmConfig { Temperature = 0.25, MaxTokens = 64 });

        var response = await provider.GenerateAsync([LlmMessage.System("Be brief."), LlmMessage.User("Hi")]);

        Assert.Equal("Hello there.", response.Text);
        Assert.Empty(response.ToolCalls);
        Assert.Null(response.Data);
        Assert.Equal(new LlmUsage(12, 3), response.Usage);
        Assert.Equal(15, response.Usage.TotalTokens);
        Assert.Equal("stop", response.FinishReason);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-key", request.Authorization);
        Assert.Equal("fake-model", request.Model);
        Assert.False(request.Stream);
        Assert.Equal(["system", "user"], request.Messages.Select(m => m["role"]!.GetValue<string>()));
        Assert.Equal("Hi", request.LastMessageText("user"));
        Assert.Equal(0.25, request.Body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(64, (request.Body["max_completion_tokens"] ?? request.Body["max_tokens"])!.GetValue<int>());
        Assert.Null(request.ResponseFormat);
    }

    [Fact]
    public async Task GenerateAsync_PerCallConfig_OverridesOnlyWhatItSets()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("a"), FakeLlmResponse.Text("b"));
        var provider = TestSupport.Provider(server, new LlmConfig { Temperature = 0.5 });

        await provider.GenerateAsync([LlmMessage.User("one")], new LlmConfig { Model = "other-model" });
        await provider.GenerateAsync([LlmMessage.User("two")]);

        Assert.Equal("other-model", server.Requests[0].Model);
        Assert.Equal(0.5, server.Requests[0].Body["temperature"]!.GetValue<double>(), 3);
        Assert.Equal("fake-model", server.Requests[1].Model);
    }

    [Fact]
    public async Task GenerateAsync_JsonMode_ParsesDataAndAsksForJson()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Json(new { answer = 4, unit = "apples" }));
        var provider = TestSupport.Provider(server);

        var response = await provider.GenerateAsync([LlmMessage.User("2+2 as JSON")], new LlmConfig { Mode = LlmMode.Json });

        Assert.Equal(4, response.Data!["answer"]!.GetValue<int>());
        Assert.Equal("apples", response.Data!["unit"]!.GetValue<string>());
        Assert.Equal("json_object", server.Requests[0].ResponseFormat);
    }

    [Fact]
    public async Task GenerateAsync_JsonModeWithCodeFence_ParsesTheFencedJson()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("```json\n{\"ok\": true}\n```"));
        var provider = TestSupport.Provider(server, new LlmConfig { Mode = LlmMode.Json });

        var response = await provider.GenerateAsync([LlmMessage.User("json please")]);

        Assert.True(response.Data!["ok"]!.GetValue<bool>());
    }

    [Fact]
    public async Task GenerateAsync_JsonModeInvalidJson_ThrowsTypedLlmException()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.InvalidJson("{\"answer\": 4,,"));
        var provider = TestSupport.Provider(server, new LlmConfig { Mode = LlmMode.Json, MaxRetries = 3 });

        var error = await Assert.ThrowsAsync<LlmException>(() => provider.GenerateAsync([LlmMessage.User("json")]));

        Assert.Equal(LlmErrorTypes.InvalidJson, error.Type);
        Assert.Null(error.StatusCode);
        Assert.False(error.IsTransient);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task GenerateAsync_XmlMode_ParsesElementsAndAttributes()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("<answer unit=\"apples\"><value>4</value><step>add</step><step>check</step></answer>"));
        var provider = TestSupport.Provider(server, new LlmConfig { Mode = LlmMode.Xml });

        var response = await provider.GenerateAsync([LlmMessage.User("xml")]);

        var answer = response.Data!["answer"]!;
        Assert.Equal("apples", answer["@unit"]!.GetValue<string>());
        Assert.Equal("4", answer["value"]!.GetValue<string>());
        Assert.Equal(["add", "check"], answer["step"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task GenerateAsync_XmlModeInvalidXml_ReportsTheErrorInData()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("<answer>4"));
        var provider = TestSupport.Provider(server, new LlmConfig { Mode = LlmMode.Xml });

        var response = await provider.GenerateAsync([LlmMessage.User("xml")]);

        Assert.Equal("<answer>4", response.Text);
        Assert.Contains("not valid XML", response.Data!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("<answer>4", response.Data!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task GenerateAsync_ToolCalls_AreReturnedWithIdsAndRawArguments()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 3 }, "call_a"), new FakeToolCall("echo", "{not json", "call_b")));
        var provider = TestSupport.Provider(server);
        var tools = new LlmConfig { Tools = [AgentTool.Create("add", "Add", (double a, double b) => a + b).ToDefinition()] };

        var response = await provider.GenerateAsync([LlmMessage.User("add")], tools);

        Assert.Equal(2, response.ToolCalls.Count);
        Assert.Equal("call_a", response.ToolCalls[0].Id);
        Assert.Equal("add", response.ToolCalls[0].Name);
        Assert.Equal(5, JsonNode.Parse(response.ToolCalls[0].Arguments)!["a"]!.GetValue<int>() + JsonNode.Parse(response.ToolCalls[0].Arguments)!["b"]!.GetValue<int>());
        Assert.Equal("{not json", response.ToolCalls[1].Arguments);
        Assert.Equal("tool_calls", response.FinishReason);
        Assert.Equal(["add"], server.Requests[0].ToolNames);
    }

    [Fact]
    public async Task GenerateAsync_FullConversation_SendsImagesToolCallsAndToolResults()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Text("done"));
        var provider = TestSupport.Provider(server);
        LlmMessage[] conversation =
        [
            LlmMessage.System("sys"),
            LlmMessage.User("What is in these?", [LlmImage.FromUrl(new Uri("https://example.invalid/cat.png"), "image/png"), LlmImage.FromBytes(new byte[] { 1, 2, 3 }, "image/png")]),
            LlmMessage.Assistant(null, [new LlmToolCall("call_1", "look", "{\"what\":\"cat\"}")]),
            LlmMessage.Tool("call_1", "a cat"),
        ];

        await provider.GenerateAsync(conversation);

        var messages = server.Requests[0].Messages;
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m["role"]!.GetValue<string>()));
        var parts = messages[1]["content"]!.AsArray();
        Assert.Contains(parts, p => p!["type"]!.GetValue<string>() == "image_url" && p["image_url"]!["url"]!.GetValue<string>() == "https://example.invalid/cat.png");
        Assert.Contains(parts, p => p!["type"]!.GetValue<string>() == "image_url" && p["image_url"]!["url"]!.GetValue<string>().StartsWith("data:image/png;base64,AQID", StringComparison.Ordinal));
        var call = messages[2]["tool_calls"]![0]!;
        Assert.Equal("call_1", call["id"]!.GetValue<string>());
        Assert.Equal("look", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("cat", JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["what"]!.GetValue<string>());
        Assert.Equal([("call_1", "a cat")], server.Requests[0].ToolResults);
    }

    [Fact]
    public async Task LlmMessages_RoundTripThroughContextJson()
    {
        var ctx = new StateContext("s");
        List<LlmMessage> messages =
        [
            LlmMessage.User("look", [LlmImage.FromBytes(new byte[] { 9, 8 }, "image/jpeg")]),
            LlmMessage.Assistant("calling", [new LlmToolCall("c", "t", "{}")]),
            LlmMessage.Tool("c", "result"),
        ];

        ctx.Set("conversation", messages);
        var back = StateContext.Deserialize(ctx.Serialize()).Get<List<LlmMessage>>("conversation")!;

        Assert.Equal(LlmRole.User, back[0].Role);
        Assert.Equal(new byte[] { 9, 8 }, back[0].Images[0].Data.ToArray());
        Assert.Equal("image/jpeg", back[0].Images[0].MediaType);
        Assert.Equal(new LlmToolCall("c", "t", "{}"), back[1].ToolCalls[0]);
        Assert.Equal("c", back[2].ToolCallId);
        Assert.Equal(LlmRole.Tool, back[2].Role);
    }

    [Fact]
    public void Config_InvalidValues_ListsEveryProblem()
    {
        var error = Assert.Throws<LlmConfigException>(() => new OpenAIProvider(new LlmConfig { BaseUrl = "not a url", Temperature = 3, MaxTokens = 0, MaxRetries = -1 }));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("BaseUrl", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("Temperature", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("MaxTokens", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("MaxRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_OpenAIWithoutKey_IsRejected()
    {
        var error = Assert.Throws<LlmConfigException>(() => new OpenAIProvider(new LlmConfig()));

        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
    }
}
