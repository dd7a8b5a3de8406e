namespace Envoy.Agents.Tests;

public sealed class RealEndpointTests
{
    [RequiresOpenAIKeyFact]
    public async Task RealModel_AnswersWithTheAddTool()
    {
        var provider = new OpenAIProvider(new LlmConfig
        {
            ApiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
            BaseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } url ? url : null,
            Model = Environment.GetEnvironmentVariable("OPENAI_MODEL") is { Length: > 0 } model ? model : null,
        });
        var agent = new ToolAgent(provider, new AgentOptions
        {
            Tools = [AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b)],
            MaxSteps = 10,
        });

        var ctx = await agent.RunAsync("What is 2 + 2? Use the add tool.");

        Assert.Equal(DoneReason.Finished, ctx.Done);
        Assert.Contains("4", ctx.Output<string>(), StringComparison.Ordinal);
        Assert.True(ctx.GetAgentUsage().TotalTokens > 0);
    }
}
