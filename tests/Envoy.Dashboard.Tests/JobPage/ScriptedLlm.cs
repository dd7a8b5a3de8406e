namespace Envoy.Dashboard.Tests.JobPage;

/// <summary>A model that answers each call with the next scripted response (the last one again when the script runs out).</summary>
internal sealed class ScriptedLlm(params LlmResponse[] script) : ILlmProvider
{
    private int _calls;

    public Task<LlmResponse> GenerateAsync(IReadOnlyList<LlmMessage> messages, LlmConfig? config = null, CancellationToken cancellationToken = default)
    {
        var index = Interlocked.Increment(ref _calls) - 1;
        return Task.FromResult(script[Math.Min(index, script.Length - 1)]);
    }

    /// <summary>An agent flow: calls <c>add</c> {a:2,b:3} (10+5 tokens), then answers "The sum is 5." (20+7 tokens).</summary>
    public static StateFlow AdderAgent(bool approval) => new ToolAgent(
        new ScriptedLlm(
            new LlmResponse { ToolCalls = [new LlmToolCall("call_add", "add", """{"a":2,"b":3}""")], Usage = new LlmUsage(10, 5), Model = "scripted-model-1" },
            new LlmResponse { Text = "The sum is 5.", Usage = new LlmUsage(20, 7), Model = "scripted-model-1" }),
        new AgentOptions
        {
            Tools = [AgentTool.Create("add", "Adds two integers", (int a, int b) => a + b) with { RequiresApproval = approval }],
            Approver = "root",
        });
}
