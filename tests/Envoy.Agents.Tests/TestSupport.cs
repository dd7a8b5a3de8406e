using Envoy.Testing;

namespace Envoy.Agents.Tests;

internal static class TestSupport
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A provider on the fake server that never waits in real time (retries off unless asked for).</summary>
    public static OpenAIProvider Provider(FakeLlmServer server, LlmConfig? overrides = null, TimeProvider? time = null) =>
        new(server.Config().Merge(new LlmConfig { MaxRetries = 0 }).Merge(overrides), time);

    public static async Task<StateContext> StepUntilAsync(ToolAgent agent, StateContext ctx, Func<StateContext, bool> done)
    {
        for (var i = 0; i < 50 && !done(ctx); i++)
        {
            ctx = await agent.StepAsync(ctx);
        }

        Assert.True(done(ctx), $"The run did not reach the expected point; it is at {ctx}.");
        return ctx;
    }
}

/// <summary>A test that talks to a real OpenAI-compatible endpoint; skipped when OPENAI_API_KEY is not set.</summary>
public sealed class RequiresOpenAIKeyFactAttribute : FactAttribute
{
    public RequiresOpenAIKeyFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY")))
        {
            Skip = "OPENAI_API_KEY is not set: this test calls a real model endpoint (set OPENAI_API_KEY, and optionally OPENAI_BASE_URL and OPENAI_MODEL, to run it).";
        }
    }
}
