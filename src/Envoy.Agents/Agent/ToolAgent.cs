using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>
/// An LLM agent as a durable flow: Start → Plan → ToolCall → Plan … → Finish. Each Plan step makes one model call;
/// each ToolCall step runs one round of tool calls (concurrently). The conversation, token usage and counters live in
/// the context data (<see cref="AgentKeys"/>), so a scheduled agent that crashes resumes from its last committed step
/// without repeating model or tool calls. Run it in-process with <see cref="RunAsync"/>, or schedule it: it converts to
/// the <see cref="StateFlow"/> it is (<see cref="Flow"/>).
/// </summary>
public sealed partial class ToolAgent
{
    private readonly ILlmProvider _provider;
    private readonly AgentTool[] _tools;
    private readonly Dictionary<string, AgentTool> _toolsByName;
    private readonly AgentOptions _options;
    private readonly string _systemPrompt;
    private readonly LlmConfig _callConfig;

    /// <summary>Builds the agent.</summary>
    /// <param name="provider">The model.</param>
    /// <param name="options">Tools, prompt and limits; copied.</param>
    /// <exception cref="StateFlowValidationException">The options are invalid (every problem listed).</exception>
    public ToolAgent(ILlmProvider provider, AgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        options ??= new AgentOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new StateFlowValidationException("Invalid ToolAgent options: " + string.Join(" ", errors));
        }

        _provider = provider;
        _tools = [.. options.Tools];
        _toolsByName = _tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _options = new AgentOptions
        {
            Tools = _tools,
            Plugins = [.. options.Plugins],
            PlanPrompt = options.PlanPrompt,
            Model = options.Model,
            MaxSteps = options.MaxSteps,
            MaxRetry = options.MaxRetry,
            PlanningMode = options.PlanningMode,
            Approver = options.Approver,
            Llm = options.Llm,
            TokensPerMinute = options.TokensPerMinute,
            TokensWindow = options.TokensWindow,
        };
        _systemPrompt = AgentPrompts.SystemPrompt(_options, _tools);
        _callConfig = (options.Llm ?? new LlmConfig()).Merge(new LlmConfig
        {
            Model = options.Model,
            Mode = options.PlanningMode == PlanningMode.JsonPlan ? LlmMode.Json : LlmMode.Text,
            Tools = options.PlanningMode == PlanningMode.Native && _tools.Length > 0 ? [.. _tools.Select(t => t.ToDefinition())] : null,
        });
        Flow = BuildFlow();
    }

    /// <summary>The flow the agent runs; register it with the scheduler to run the agent as a durable job.</summary>
    public StateFlow Flow { get; }

    /// <summary>The tools, in declaration order.</summary>
    public IReadOnlyList<AgentTool> Tools => _tools;

    /// <summary>The planning mode.</summary>
    public PlanningMode PlanningMode => _options.PlanningMode;

    /// <summary>The agent's flow, so that an agent can be passed wherever a <see cref="StateFlow"/> is expected.</summary>
    public static implicit operator StateFlow(ToolAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return agent.Flow;
    }

    /// <summary>The agent's flow (the named alternative of the implicit conversion).</summary>
    public StateFlow ToStateFlow() => Flow;

    /// <summary>
    /// Runs the agent in this process on <paramref name="input"/> (the task as a string, or an object with a <c>task</c> field).
    /// The final answer is the result's <c>Output&lt;string&gt;()</c>; a run that calls a tool needing approval needs the
    /// scheduler (or <see cref="StepAsync"/> and resolving the escalation wait yourself).
    /// </summary>
    public Task<StateContext> RunAsync(object? input = null, CancellationToken cancellationToken = default) => Flow.RunAsync(input, cancellationToken);

    /// <summary>Continues a run from a context (for example a deserialized one) until it is done.</summary>
    public Task<StateContext> ResumeAsync(StateContext context, CancellationToken cancellationToken = default) => Flow.ResumeAsync(context, cancellationToken);

    /// <summary>Runs one step; see <see cref="StateFlow.StepAsync"/>.</summary>
    public Task<StateContext> StepAsync(StateContext context, CancellationToken cancellationToken = default) => Flow.StepAsync(context, cancellationToken);

    /// <summary>A new context at Start with <paramref name="input"/> as the task.</summary>
    public StateContext NewContext(object? input = null) => Flow.NewContext(input);

    /// <summary>The agent's graph in Mermaid.</summary>
    public string ToMermaid() => Flow.ToMermaid();

    private StateFlow BuildFlow()
    {
        var routes = new Dictionary<string, Route>(StringComparer.Ordinal)
        {
            [AgentKeys.ToolCallState] = new Route { Description = "tool calls" },
            [AgentKeys.PlanState] = new Route { Description = "unusable reply, ask again" },
            [AgentKeys.FinishState] = new Route { Description = "answer" },
        };
        State[] states =
        [
            new State(AgentKeys.StartState) { OnState = StartAsync, Router = Router.Next(AgentKeys.PlanState), Description = "Builds the conversation from the task." },
            new State(AgentKeys.PlanState)
            {
                OnState = PlanAsync,
                Router = Router.Routes(routes, static ctx => Task.FromResult(ctx.Get<string>(AgentKeys.Next))),
                Description = "One model call: an answer or tool calls.",
            },
            new State(AgentKeys.ToolCallState)
            {
                OnEnter = RequestApprovalsAsync,
                OnState = CallToolsAsync,
                Router = Router.Next(AgentKeys.PlanState),
                Description = "One round of tool calls, run concurrently.",
            },
            new State(AgentKeys.FinishState) { OnState = static ctx => Task.FromResult(ctx), Router = Router.End, Description = "The final answer." },
        ];
        return new StateFlow(states, new StateFlowOptions { MaxSteps = _options.MaxSteps, Plugins = _options.Plugins });
    }

    private Task<StateContext> StartAsync(StateContext ctx)
    {
        var task = ctx.Input() switch
        {
            null => null,
            JsonValue value when value.TryGetValue(out string? text) => text,
            JsonObject obj when obj["task"] is JsonValue value && value.TryGetValue(out string? text) => text,
            var other => other.ToJsonString(),
        };
        if (string.IsNullOrWhiteSpace(task))
        {
            return Task.FromResult(ctx.Fail("The ToolAgent needs a task: pass it as a string, or as an object with a 'task' field."));
        }

        AgentConversation.Save(ctx, [LlmMessage.System(_systemPrompt), LlmMessage.User(task)]);
        ctx.Set(AgentKeys.Usage, LlmUsage.Zero);
        ctx.Set(AgentKeys.ModelCalls, 0);
        ctx.Set(AgentKeys.InvalidReplies, 0);
        return Task.FromResult(ctx);
    }
}
