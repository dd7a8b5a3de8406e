using Envoy.Testing;

namespace Envoy.Agents.Tests;

public sealed class StreamingTests
{
    [Fact]
    public async Task Stream_Text_ArrivesInPiecesOverServerSentEvents()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.Stream("Hel", "lo ", "world") with { InputTokens = 9, OutputTokens = 3 });
        var provider = TestSupport.Provider(server);

        var updates = new List<LlmStreamUpdate>();
        await foreach (var update in provider.GenerateStreamingAsync([LlmMessage.User("greet")]))
        {
            updates.Add(update);
        }

        Assert.Equal("Hello world", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(["Hel", "lo ", "world"], updates.Select(u => u.Text).Where(t => t.Length > 0));
        Assert.True(server.Requests[0].Stream);
        var usage = updates.Select(u => u.Usage).LastOrDefault(u => u is not null);
        Assert.Equal(new LlmUsage(9, 3), usage);
    }

    [Fact]
    public async Task Stream_ToolCalls_AreAssembledFromTheirPieces()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 20, b = 22 }, "call_s")));
        var provider = TestSupport.Provider(server);

        var calls = new List<LlmToolCall>();
        await foreach (var update in provider.GenerateStreamingAsync([LlmMessage.User("add")]))
        {
            calls.AddRange(update.ToolCalls);
        }

        var call = Assert.Single(calls);
        Assert.Equal("call_s", call.Id);
        Assert.Equal("add", call.Name);
        var args = System.Text.Json.Nodes.JsonNode.Parse(call.Arguments)!;
        Assert.Equal(20, args["a"]!.GetValue<int>());
        Assert.Equal(22, args["b"]!.GetValue<int>());
    }

    [Fact]
    public async Task Stream_RateLimitedBeforeTheFirstPiece_IsRetried()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.RateLimited(TimeSpan.FromSeconds(3)), FakeLlmResponse.Text("after retry"));
        var time = new TimerWatchingTimeProvider();
        var timeout = TimeSpan.FromSeconds(30);
        var provider = TestSupport.Provider(server, new LlmConfig { MaxRetries = 2, Timeout = timeout }, time);

        var reading = ReadAllAsync(provider.GenerateStreamingAsync([LlmMessage.User("hi")]));
        var delay = await time.AdvanceToNextTimerAsync(d => d != timeout, TestSupport.Patience);
        var text = await reading.WaitAsync(TestSupport.Patience);

        Assert.Equal(TimeSpan.FromSeconds(3), delay);
        Assert.Equal("after retry", text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Stream_ServerError_ThrowsLlmException()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Enqueue(FakeLlmResponse.ServerError());
        var provider = TestSupport.Provider(server);

        var error = await Assert.ThrowsAsync<LlmException>(() => ReadAllAsync(provider.GenerateStreamingAsync([LlmMessage.User("hi")])));

        Assert.Equal(500, error.StatusCode);
    }

    private static async Task<string> ReadAllAsync(IAsyncEnumerable<LlmStreamUpdate> stream)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var update in stream)
        {
            text.Append(update.Text);
        }

        return text.ToString();
    }
}
