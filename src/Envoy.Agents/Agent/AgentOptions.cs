namespace Envoy;

/// <summary>Settings of a <see cref="ToolAgent"/>; validated (every problem listed) and copied when the agent is built.</summary>
public sealed class AgentOptions
{
    /// <summary>The default of <see cref="MaxSteps"/>.</summary>
    public const int DefaultMaxSteps = 25;

    /// <summary>The default of <see cref="MaxRetry"/>.</summary>
    public const int DefaultMaxRetry = 2;

    /// <summary>The default of <see cref="Approver"/>.</summary>
    public const string DefaultApprover = "approver";

    /// <summary>The tools the model may call; names are unique.</summary>
    public IReadOnlyList<AgentTool> Tools { get; init; } = [];

    /// <summary>Plugins of the agent's flow (logging, guards, metrics), as for any <see cref="StateFlow"/>.</summary>
    public IReadOnlyList<StateFlowPlugin> Plugins { get; init; } = [];

    /// <summary>The system prompt; default <see cref="AgentPrompts.DefaultPlanPrompt"/>. In <see cref="PlanningMode.JsonPlan"/> the protocol and the tool list are appended.</summary>
    public string? PlanPrompt { get; init; }

    /// <summary>The model for every call; default: the provider's.</summary>
    public string? Model { get; init; }

    /// <summary>The most steps a run may take (Start, each Plan, each tool round and Finish count one each); default 25.</summary>
    public int MaxSteps { get; init; } = DefaultMaxSteps;

    /// <summary>How many unusable replies in a row (no answer and no tool call, or an invalid JSON plan) are asked again before the run fails; default 2.</summary>
    public int MaxRetry { get; init; } = DefaultMaxRetry;

    /// <summary>Native tool calling (default) or the JSON plan protocol.</summary>
    public PlanningMode PlanningMode { get; init; } = PlanningMode.Native;

    /// <summary>Who is asked to approve calls of tools with <see cref="AgentTool.RequiresApproval"/>; default <see cref="DefaultApprover"/>.</summary>
    public string Approver { get; init; } = DefaultApprover;

    /// <summary>Further settings of every model call (temperature, max tokens, timeout...); <see cref="Model"/> wins over its model.</summary>
    public LlmConfig? Llm { get; init; }

    /// <summary>
    /// The most tokens (input and output) per minute for each model this agent calls, over every process on the job's store
    /// (null, the default: no cap; at least 1). Before each model call the agent waits while the model's tokens of the last
    /// minute are at the cap; each call's tokens are recorded when it answers. Applies to Envoy's providers when the agent runs
    /// as a job of a scheduler (an in-process run has nothing to share and does not wait).
    /// </summary>
    public int? TokensPerMinute { get; init; }

    /// <summary>
    /// The window <see cref="TokensPerMinute"/> counts tokens over: one minute. Shorter only in the tests with several worker
    /// processes, where no fake clock reaches (a process has its own clock).
    /// </summary>
    internal TimeSpan TokensWindow { get; init; } = LlmCallGate.TokenWindow;

    internal List<string> Validate()
    {
        var errors = new List<string>();
        if (Tools is null)
        {
            errors.Add("Tools is null.");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var tool in Tools)
            {
                if (tool is null)
                {
                    errors.Add("A tool is null.");
                }
                else if (!seen.Add(tool.Name))
                {
                    errors.Add($"Tool '{tool.Name}' is declared twice.");
                }
            }
        }

        if (Plugins is null)
        {
            errors.Add("Plugins is null.");
        }

        if (MaxSteps < 1)
        {
            errors.Add($"MaxSteps must be at least 1 (was {MaxSteps}).");
        }

        if (MaxRetry < 0)
        {
            errors.Add($"MaxRetry must be 0 or more (was {MaxRetry}).");
        }

        if (!Enum.IsDefined(PlanningMode))
        {
            errors.Add($"PlanningMode {(int)PlanningMode} is not a planning mode.");
        }

        if (string.IsNullOrWhiteSpace(Approver))
        {
            errors.Add("Approver is empty.");
        }

        if (Model is not null && string.IsNullOrWhiteSpace(Model))
        {
            errors.Add("Model is empty.");
        }

        if (TokensPerMinute is < 1)
        {
            errors.Add($"TokensPerMinute must be at least 1, or null for no cap (was {TokensPerMinute}).");
        }

        if (TokensWindow <= TimeSpan.Zero)
        {
            errors.Add($"The window of TokensPerMinute must be positive (was {TokensWindow}).");
        }

        return errors;
    }
}
