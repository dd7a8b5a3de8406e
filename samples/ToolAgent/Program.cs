using Envoy;
using Envoy.Testing;
using ToolAgentSample;

// With OPENAI_API_KEY set, the sample talks to a real endpoint (OPENAI_BASE_URL for any OpenAI-compatible server,
// OPENAI_MODEL for the model). Without it, a local fake server replays the model's side, so the sample runs offline.
var apiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
await using var fake = string.IsNullOrWhiteSpace(apiKey) ? await FakeLlmServer.StartAsync() : null;
ILlmProvider provider;
if (fake is null)
{
    provider = DocSnippets.RealProvider(apiKey!, Environment.GetEnvironmentVariable("OPENAI_BASE_URL"), Environment.GetEnvironmentVariable("OPENAI_MODEL"));
    Console.WriteLine("Using the real endpoint " + (Environment.GetEnvironmentVariable("OPENAI_BASE_URL") ?? "(OpenAI)"));
}
else
{
    FakeScript.Enqueue(fake);
    provider = new OpenAIProvider(fake.Config());
    Console.WriteLine($"OPENAI_API_KEY is not set: using the local fake model server at {fake.BaseUrl}");
}

Console.WriteLine();
Console.WriteLine("1. Native tool calling");
var ctx = await DocSnippets.RunNativeAsync(provider);
Print(ctx);

Console.WriteLine();
Console.WriteLine("2. The JSON plan protocol");
ctx = await DocSnippets.RunJsonPlanAsync(provider);
Print(ctx);

Console.WriteLine();
Console.WriteLine("3. A tool that needs approval (approved here by code; with the scheduler a human answers the escalation)");
ctx = await DocSnippets.RunWithApprovalAsync(provider, approve: true);
Print(ctx);

if (fake is not null)
{
    Console.WriteLine();
    Console.WriteLine($"The fake server answered {fake.Requests.Count} chat-completion requests.");
    Console.WriteLine($"The docs' testing snippet passes: {await TestingSnippets.AgentAgainstTheFakeServerAsync()}");
    Console.WriteLine($"The docs' retry snippet advanced the clock by {await TestingSnippets.RetryDelayWithoutWaitingAsync()} without waiting.");
}

return ctx.Done == DoneReason.Finished ? 0 : 1;

static void Print(StateContext ctx)
{
    Console.WriteLine($"   answer: {ctx.Output<string>()}");
    Console.WriteLine($"   ended:  {ctx.Done} in state {ctx.State} after {ctx.Step} steps, {ctx.GetAgentModelCalls()} model calls");
    var usage = ctx.GetAgentUsage();
    Console.WriteLine($"   tokens: {usage.InputTokens} in + {usage.OutputTokens} out = {usage.TotalTokens}");
}
