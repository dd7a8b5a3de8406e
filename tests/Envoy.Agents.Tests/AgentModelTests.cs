namespace Envoy.Agents.Tests;

/// <summary>The run records which model answered each call (<see cref="AgentKeys.Model"/>, <see cref="AgentKeys.StepModel"/>).</summary>
public sealed class AgentModelTests
{
    [Fact]
    public async Task The_model_that_answered_is_recorded_for_the_run_and_each_step_else_the_configured_one()
    {
        var agent = new ToolAgent(
            new Script(
                new LlmResponse { ToolCalls = [new LlmToolCall("c1", "echo", """{"text":"hi"}""")], Usage = new LlmUsage(3, 2), Model = "reported-model" },
                new LlmResponse { Text = "done", Usage = new LlmUsage(4, 1) }),
            new AgentOptions { Model = "configured-model", Tools = [AgentTool.Create("echo", "Echoes", (string text) => text)] });

        var ctx = await agent.RunAsync("Say hi");

        Assert.Equal("done", ctx.Output<string>());
        Assert.Equal("configured-model", ctx.Get<string>(AgentKeys.Model));
        Assert.Equal("reported-model", ctx.Get<string>(AgentKeys.StepModel + ".2"));
        Assert.Equal("configured-model", ctx.Get<string>(AgentKeys.StepModel + ".4"));
        Assert.Equal(new LlmUsage(3, 2), ctx.Get<LlmUsage>(AgentKeys.StepUsage + ".2"));
    }

    private sealed class Script(params LlmResponse[] responses) : ILlmProvider
    {
        private int _next;

        public Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(responses[Math.Min(_next++, responses.Length - 1)]);
    }
}
