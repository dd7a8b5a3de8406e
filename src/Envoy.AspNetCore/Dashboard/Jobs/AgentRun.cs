using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy.AspNetCore.Dashboard.Jobs;

/// <summary>
/// A <c>ToolAgent</c> run as its job's context keeps it (Envoy.Agents' <c>AgentKeys</c>): the conversation under
/// <c>agent.messages</c>, the tokens under <c>agent.usage</c> and <c>agent.stepUsage</c>, the model under <c>agent.model</c>.
/// Read from the JSON, so the server needs no reference to the agents package.
/// </summary>
/// <param name="Model">The model that answered the last call, if recorded.</param>
/// <param name="ModelCalls">How many model calls the run made.</param>
/// <param name="Usage">Tokens of the whole run.</param>
/// <param name="Messages">The conversation's system and first user messages (before the first model call).</param>
/// <param name="Turns">Each model answer with its tool calls and their results, in order.</param>
/// <param name="Steps">The tokens (and model) of each model-calling step, by step number.</param>
public sealed record AgentRun(string? Model, int ModelCalls, AgentTokens Usage, IReadOnlyList<AgentMessage> Messages, IReadOnlyList<AgentTurn> Turns, IReadOnlyList<AgentStep> Steps)
{
    private const string MessagesKey = "agent.messages";
    private const string UsageKey = "agent.usage";
    private const string StepUsageKey = "agent.stepUsage";
    private const string StepModelKey = "agent.stepModel";
    private const string ModelKey = "agent.model";
    private const string ModelCallsKey = "agent.modelCalls";
    private const string ApprovalsKey = "$agentApprovals";

    /// <summary>The run in <paramref name="context"/>, or null when it holds no agent conversation.</summary>
    public static AgentRun? Read(StateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = context.Data;
        if (At(data, MessagesKey) is not JsonArray messages)
        {
            return null;
        }

        var approvals = data[ApprovalsKey] as JsonObject;
        var waits = context.Waits.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var intro = new List<AgentMessage>();
        var turns = new List<AgentTurn>();
        var results = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var node in messages)
        {
            if (node is JsonObject { } m && Text(m["role"]) == "tool" && Text(m["toolCallId"]) is { } callId)
            {
                results[callId] = Text(m["content"]);
            }
        }

        var steps = ReadSteps(data);
        foreach (var node in messages)
        {
            if (node is not JsonObject m)
            {
                continue;
            }

            var role = Text(m["role"]) ?? "?";
            var content = Text(m["content"]);
            if (role == "tool")
            {
                continue;
            }

            if (role == "assistant")
            {
                var calls = new List<AgentToolCall>();
                if (m["toolCalls"] is JsonArray toolCalls)
                {
                    foreach (var call in toolCalls.OfType<JsonObject>())
                    {
                        var id = Text(call["id"]) ?? string.Empty;
                        var arguments = Text(call["arguments"]) ?? string.Empty;
                        var hasResult = results.TryGetValue(id, out var result);
                        Wait? approval = approvals?[id] is JsonValue waitId && waitId.TryGetValue(out string? w) && waits.TryGetValue(w, out var found) ? found : null;
                        calls.Add(new AgentToolCall(id, Text(call["name"]) ?? "?", arguments, ParseOrNull(arguments), hasResult, result, approval is { IsPending: true } ? approval.Id : null));
                    }
                }

                var index = turns.Count;
                turns.Add(new AgentTurn(index < steps.Count ? steps[index] : null, content, calls, []));
            }
            else if (turns.Count == 0)
            {
                intro.Add(new AgentMessage(role, content));
            }
            else
            {
                var last = turns[^1];
                turns[^1] = last with { After = [.. last.After, new AgentMessage(role, content)] };
            }
        }

        return new AgentRun(
            Text(At(data, ModelKey)),
            At(data, ModelCallsKey) is JsonValue calls2 && calls2.TryGetValue(out int n) ? n : turns.Count,
            Tokens(At(data, UsageKey)),
            intro,
            turns,
            steps);
    }

    private static List<AgentStep> ReadSteps(JsonObject data)
    {
        var steps = new List<AgentStep>();
        if (At(data, StepUsageKey) is JsonObject usage)
        {
            var models = At(data, StepModelKey) as JsonObject;
            foreach (var (key, value) in usage)
            {
                if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                {
                    steps.Add(new AgentStep(step, Text(models?[key]), Tokens(value)));
                }
            }
        }

        steps.Sort((a, b) => a.Step.CompareTo(b.Step));
        return steps;
    }

    /// <summary>The value at a dotted data key (the context stores <c>agent.messages</c> as <c>agent</c> → <c>messages</c>).</summary>
    private static JsonNode? At(JsonObject data, string path)
    {
        JsonNode? node = data;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    private static AgentTokens Tokens(JsonNode? node) =>
        node is JsonObject o ? new AgentTokens(Int(o["inputTokens"]), Int(o["outputTokens"])) : new AgentTokens(0, 0);

    private static int Int(JsonNode? node) => node is JsonValue v && v.TryGetValue(out int i) ? i : 0;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Tokens of one or more model calls.</summary>
/// <param name="Input">Prompt tokens.</param>
/// <param name="Output">Completion tokens.</param>
public sealed record AgentTokens(int Input, int Output)
{
    /// <summary>Input plus output.</summary>
    public int Total => Input + Output;
}

/// <summary>One model-calling step of an agent run.</summary>
/// <param name="Step">The step number.</param>
/// <param name="Model">The model that answered, if recorded.</param>
/// <param name="Tokens">Its tokens.</param>
public sealed record AgentStep(int Step, string? Model, AgentTokens Tokens);

/// <summary>A message of the conversation that is not a model answer or a tool result.</summary>
/// <param name="Role">system, user…</param>
/// <param name="Content">The text.</param>
public sealed record AgentMessage(string Role, string? Content);

/// <summary>One model answer: its text, the tools it called and their results, and the messages that followed it.</summary>
/// <param name="Step">The step that made the call (tokens, model), when known.</param>
/// <param name="Content">The answer's text.</param>
/// <param name="ToolCalls">The tool calls it asked for.</param>
/// <param name="After">Messages added after it (e.g. a request to try again), before the next answer.</param>
public sealed record AgentTurn(AgentStep? Step, string? Content, IReadOnlyList<AgentToolCall> ToolCalls, IReadOnlyList<AgentMessage> After);

/// <summary>One tool call of an agent run.</summary>
/// <param name="Id">The call id.</param>
/// <param name="Name">The tool.</param>
/// <param name="Arguments">The arguments as the model wrote them.</param>
/// <param name="ParsedArguments">The arguments parsed, or null when they are not JSON.</param>
/// <param name="HasResult">Whether the tool ran and answered.</param>
/// <param name="Result">The result the agent got back.</param>
/// <param name="AwaitingApproval">The escalation wait id while the call waits for a human's approval, else null.</param>
public sealed record AgentToolCall(string Id, string Name, string Arguments, JsonNode? ParsedArguments, bool HasResult, string? Result, string? AwaitingApproval);
