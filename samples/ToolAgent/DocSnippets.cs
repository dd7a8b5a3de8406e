using Envoy;

namespace ToolAgentSample;

/// <summary>The code shown in docs/agents.md; the sample runs it, so the snippets compile and work.</summary>
public static class DocSnippets
{
    // <provider>
    public static ILlmProvider RealProvider(string apiKey, string? endpoint, string? model) =>
        new OpenAIProvider(new LlmConfig
        {
            ApiKey = apiKey,
            BaseUrl = endpoint,         // null: OpenAI; or http://localhost:11434/v1 (Ollama), a vLLM or LM Studio server...
            Model = model ?? "gpt-4o-mini",
            Temperature = 0,
            Timeout = TimeSpan.FromSeconds(60), // per attempt
            MaxRetries = 3,                     // 429, 5xx, timeouts: exponential backoff with jitter, Retry-After honoured
        });
    // </provider>

    // <generate>
    public static async Task<int> AskForJsonAsync(ILlmProvider provider)
    {
        var response = await provider.GenerateAsync(
            [LlmMessage.System("Reply with a JSON object."), LlmMessage.User("What is 2 + 2? Reply as {\"answer\": number}.")],
            new LlmConfig { Mode = LlmMode.Json }); // only what is set overrides the provider's config
        Console.WriteLine($"{response.Usage.InputTokens} + {response.Usage.OutputTokens} tokens");
        return response.Data!["answer"]!.GetValue<int>(); // invalid JSON would have thrown an LlmException (Type = "invalid_json")
    }
    // </generate>

    // <native>
    public static async Task<StateContext> RunNativeAsync(ILlmProvider provider)
    {
        var agent = new ToolAgent(provider, new AgentOptions
        {
            Tools =
            [
                AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b),
                AgentTool.Create("echo", "Echo a string", (string text) => text),
            ],
            MaxSteps = 10,
        });
        var ctx = await agent.RunAsync("What is 2 + 2?");
        Console.WriteLine(ctx.Output<string>()); // the final answer; ctx.State is "Finish"
        return ctx;
    }
    // </native>

    // <jsonplan>
    public static Task<StateContext> RunJsonPlanAsync(ILlmProvider provider)
    {
        var agent = new ToolAgent(provider, new AgentOptions
        {
            Tools =
            [
                AgentTool.Create("add", "Add two numbers", (double a, double b) => a + b),
                AgentTool.Create("echo", "Echo a string", (string text) => text),
            ],
            PlanningMode = PlanningMode.JsonPlan, // for endpoints without native tool calling
            MaxRetry = 2,                         // unusable replies in a row before the run fails
        });
        return agent.RunAsync("Add 40 and 2, and echo 'hello'.");
    }
    // </jsonplan>

    // <tools>
    public static IReadOnlyList<AgentTool> MoreTools() =>
    [
        // The context is injected (and left out of the schema); so is a CancellationToken.
        AgentTool.Create("remember", "Remember a fact for later steps", (string fact, StateContext ctx) =>
        {
            ctx.Set("facts." + ctx.Step, fact);
            return "noted";
        }),

        // Async handlers, records as parameters: the schema follows the types.
        AgentTool.Create("area", "Area of a rectangle", async (Rectangle rect, CancellationToken ct) =>
        {
            await Task.Yield();
            return rect.Width * rect.Height;
        }),

        // A given JSON Schema; arguments are validated against it before the handler runs.
        AgentTool.Create(
            "weather",
            "Current weather of a city",
            System.Text.Json.Nodes.JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""")!,
            async (args, ctx) => $"Sunny in {args["city"]}"),

        // A handler that throws: the error goes back to the model as this call's result; the run goes on.
        AgentTool.Create("flaky", "Always fails", (string input) => throw new InvalidOperationException("service down")),
    ];
    // </tools>

    // <approval>
    public static async Task<StateContext> RunWithApprovalAsync(ILlmProvider provider, bool approve)
    {
        var sendEmail = AgentTool.Create("send_email", "Send an email", (string to, string subject) => $"sent '{subject}' to {to}")
            with { RequiresApproval = true };
        var agent = new ToolAgent(provider, new AgentOptions { Tools = [sendEmail], Approver = "ops" });

        // In-process, drive the steps; the call escalates to "ops" and the step waits for the answer.
        var ctx = agent.NewContext("Send the weekly report to team@example.com.");
        while (ctx.Done is null && !ctx.IsWaiting)
        {
            ctx = await agent.StepAsync(ctx);
        }

        foreach (var waitId in ctx.WaitingFor)
        {
            Console.WriteLine("   escalation: " + ctx.GetWait(waitId)!.Params!["message"]);
            ctx = approve
                ? ctx.Resolve(waitId, new Dictionary<string, object?> { [AgentKeys.ApproveInput] = true })
                : ctx.Reject(waitId, "rejected", new Dictionary<string, object?> { [AgentKeys.CommentInput] = "Not this week." });
        }

        return await agent.ResumeAsync(ctx); // approved: the tool runs; rejected: the model is told why
    }
    // </approval>

    // <usage>
    public static void PrintUsage(StateContext ctx)
    {
        Console.WriteLine($"run: {ctx.GetAgentUsage().TotalTokens} tokens in {ctx.GetAgentModelCalls()} model calls");
        foreach (var (step, usage) in ctx.GetAgentStepUsage())
        {
            Console.WriteLine($"step {step}: {usage.InputTokens} in, {usage.OutputTokens} out");
        }
    }
    // </usage>
}

/// <summary>A tool parameter type.</summary>
public sealed record Rectangle(double Width, double Height);
