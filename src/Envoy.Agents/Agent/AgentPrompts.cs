using System.Text;
using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>The texts the <see cref="ToolAgent"/> sends besides the user's task.</summary>
public static class AgentPrompts
{
    /// <summary>The default <see cref="AgentOptions.PlanPrompt"/>.</summary>
    public const string DefaultPlanPrompt =
        "You are a careful assistant that solves the user's task. Call the available tools when they help; call several at once " +
        "when they do not depend on each other. When a tool reports an error, correct the call or work around it. " +
        "When you know the final answer, give it.";

    /// <summary>The JSON plan protocol appended to the prompt in <see cref="PlanningMode.JsonPlan"/>.</summary>
    public const string JsonPlanProtocol =
        "Reply with exactly one JSON object and nothing else, in this shape:\n" +
        "{\"plan\": \"what you do next and why\", \"action\": \"call_tools\" or \"answer\", " +
        "\"toolCalls\": [{\"id\": \"call_1\", \"name\": \"<tool name>\", \"arguments\": {<arguments matching the tool's schema>}}], " +
        "\"answer\": \"<the final answer, when action is answer>\"}\n" +
        "With action call_tools, list one or more calls in toolCalls; they run at the same time. Their results come back in a " +
        "user message that starts with \"Tool results:\". With action answer, put the final answer in answer.";

    /// <summary>The first line of the user message that carries tool results in <see cref="PlanningMode.JsonPlan"/>.</summary>
    public const string ToolResultsHeader = "Tool results:";

    internal static string SystemPrompt(AgentOptions options, IReadOnlyList<AgentTool> tools)
    {
        var prompt = new StringBuilder(options.PlanPrompt ?? DefaultPlanPrompt);
        if (options.PlanningMode == PlanningMode.JsonPlan)
        {
            prompt.Append("\n\n").Append(JsonPlanProtocol).Append("\n\nAvailable tools:");
            if (tools.Count == 0)
            {
                prompt.Append(" none; answer directly.");
            }

            foreach (var tool in tools)
            {
                prompt.Append("\n- ").Append(tool.Name).Append(": ").Append(tool.Description).Append(" Arguments (JSON Schema): ").Append(tool.Parameters.ToJsonString());
            }
        }

        return prompt.ToString();
    }

    internal static string ToolResults(IReadOnlyList<AgentToolResult> results)
    {
        var array = new JsonArray();
        foreach (var result in results)
        {
            array.Add(new JsonObject
            {
                ["id"] = result.Id,
                ["name"] = result.Name,
                [result.IsError ? "error" : "result"] = result.Content,
            });
        }

        return ToolResultsHeader + "\n" + array.ToJsonString();
    }

    internal static string Retry(string problem, PlanningMode mode) => mode == PlanningMode.JsonPlan
        ? $"Your last reply could not be used: {problem} Reply again with one JSON object following the protocol."
        : $"Your last reply could not be used: {problem} Call a tool or give the final answer.";
}
