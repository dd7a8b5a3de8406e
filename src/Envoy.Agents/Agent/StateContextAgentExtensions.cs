using System.Globalization;
using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>Typed reads of what a <see cref="ToolAgent"/> keeps in a context.</summary>
public static class StateContextAgentExtensions
{
    /// <summary>Tokens used by the run so far (zero before the first model call).</summary>
    public static LlmUsage GetAgentUsage(this StateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Get<LlmUsage>(AgentKeys.Usage) ?? LlmUsage.Zero;
    }

    /// <summary>Tokens used by each step that called the model, keyed by step number.</summary>
    public static IReadOnlyDictionary<int, LlmUsage> GetAgentStepUsage(this StateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = new SortedDictionary<int, LlmUsage>();
        if (context.Get<JsonObject>(AgentKeys.StepUsage) is { } steps)
        {
            foreach (var (step, usage) in steps)
            {
                result[int.Parse(step, CultureInfo.InvariantCulture)] = JsonValues.FromNode<LlmUsage>(usage, AgentKeys.StepUsage + "." + step) ?? LlmUsage.Zero;
            }
        }

        return result;
    }

    /// <summary>The conversation so far (empty before the Start step).</summary>
    public static IReadOnlyList<LlmMessage> GetAgentConversation(this StateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Get<List<LlmMessage>>(AgentKeys.Messages) ?? [];
    }

    /// <summary>How many model calls the run made.</summary>
    public static int GetAgentModelCalls(this StateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Get<int>(AgentKeys.ModelCalls);
    }
}
