using Envoy;
using Envoy.Testing;

namespace ToolAgentSample;

/// <summary>The testing snippet of docs/agents.md.</summary>
public static class TestingSnippets
{
    // <testing>
    public static async Task<bool> AgentAgainstTheFakeServerAsync()
    {
        await using var server = await FakeLlmServer.StartAsync(); // 127.0.0.1, a free port
        server.Enqueue(
            FakeLlmResponse.WithToolCalls(new FakeToolCall("add", new { a = 2, b = 2 }, Id: "call_1")),
            FakeLlmResponse.Text("4") with { InputTokens = 20, OutputTokens = 1 });

        var agent = new ToolAgent(new OpenAIProvider(server.Config()), new AgentOptions
        {
            Tools = [AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b)],
        });
        var ctx = await agent.RunAsync("What is 2 + 2?");

        // The request log shows what the real client sent over HTTP.
        var second = server.Requests[1];
        return ctx.Output<string>() == "4" && second.ToolResults.Single() == ("call_1", "4");
    }
    // </testing>

    // <retries>
    public static async Task<TimeSpan> RetryDelayWithoutWaitingAsync()
    {
        await using var server = await FakeLlmServer.StartAsync();
        var time = new TimerWatchingTimeProvider();
        var provider = new OpenAIProvider(server.Config().Merge(new LlmConfig { MaxRetries = 3 }), time);
        server.Enqueue(FakeLlmResponse.RateLimited(TimeSpan.FromSeconds(7)), FakeLlmResponse.Text("ok"));

        var call = provider.GenerateAsync([LlmMessage.User("hi")]);
        var delay = await time.AdvanceToNextTimerAsync(d => d != LlmConfig.DefaultTimeout, TimeSpan.FromSeconds(20)); // 7 s
        var response = await call;                                                                                      // "ok"
        return response.Text == "ok" ? delay : TimeSpan.Zero;
    }
    // </retries>
}
