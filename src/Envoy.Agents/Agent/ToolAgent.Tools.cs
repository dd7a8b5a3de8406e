using System.Text.Json;
using System.Text.Json.Nodes;

namespace Envoy;

public sealed partial class ToolAgent
{
    /// <summary>
    /// Escalates each valid call of a tool that needs approval, before any call runs. The step stops here until every
    /// escalation is answered and resumes in <see cref="CallToolsAsync"/>.
    /// </summary>
    private Task<StateContext> RequestApprovalsAsync(StateContext ctx)
    {
        var approvals = new JsonObject();
        foreach (var call in PendingCalls(ctx))
        {
            if (_toolsByName.TryGetValue(call.Name, out var tool) && tool.RequiresApproval && TryReadArguments(call, tool, out var arguments, out _))
            {
                var message = $"The agent wants to call tool '{tool.Name}' with arguments {arguments!.ToJsonString()}. Approve this call?";
                approvals[call.Id] = ctx.Escalate(
                    _options.Approver,
                    message,
                    [EscalationInput.Approve(AgentKeys.ApproveInput, $"Run {tool.Name}"), EscalationInput.Comment(AgentKeys.CommentInput, "Comment for the agent")]);
            }
        }

        if (approvals.Count > 0)
        {
            ctx.Set(AgentKeys.Approvals, approvals);
        }

        return Task.FromResult(ctx);
    }

    /// <summary>Runs the round's calls concurrently and appends their results to the conversation, in call order.</summary>
    private async Task<StateContext> CallToolsAsync(StateContext ctx)
    {
        var calls = PendingCalls(ctx);
        var approvals = ctx.Get<Dictionary<string, string>>(AgentKeys.Approvals) ?? [];
        var results = await Task.WhenAll(calls.Select(call => CallToolAsync(call, ctx, approvals))).ConfigureAwait(false);
        var conversation = AgentConversation.Load(ctx);
        if (_options.PlanningMode == PlanningMode.JsonPlan)
        {
            conversation.Add(LlmMessage.User(AgentPrompts.ToolResults(results)));
        }
        else
        {
            conversation.AddRange(results.Select(r => LlmMessage.Tool(r.Id, r.IsError ? "Error: " + r.Content : r.Content)));
        }

        AgentConversation.Save(ctx, conversation);
        return ctx.Output(results);
    }

    private async Task<AgentToolResult> CallToolAsync(LlmToolCall call, StateContext ctx, Dictionary<string, string> approvals)
    {
        if (!_toolsByName.TryGetValue(call.Name, out var tool))
        {
            var known = _tools.Length == 0 ? "none" : string.Join(", ", _tools.Select(t => t.Name));
            return new AgentToolResult(call.Id, call.Name, $"unknown tool '{call.Name}'. Available tools: {known}.", true);
        }

        if (!TryReadArguments(call, tool, out var arguments, out var problem))
        {
            return new AgentToolResult(call.Id, call.Name, problem!, true);
        }

        if (approvals.TryGetValue(call.Id, out var waitId) && Rejection(ctx.GetWait(waitId)) is { } rejection)
        {
            return new AgentToolResult(call.Id, call.Name, rejection, true);
        }

        var token = ctx.CancellationToken;
        using var activity = LlmTelemetry.StartTool(tool.Name, call.Id);
        try
        {
            var value = await tool.InvokeAsync(arguments, ctx, token).ConfigureAwait(false);
            return new AgentToolResult(call.Id, call.Name, ResultText(value), false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
        {
            LlmTelemetry.Fail(activity, ex);
            return new AgentToolResult(call.Id, call.Name, $"tool '{tool.Name}' failed: {ex.GetType().Name}: {ex.Message}", true);
        }
    }

    private static List<LlmToolCall> PendingCalls(StateContext ctx) =>
        ctx.Input<List<LlmToolCall>>() ?? throw new InvalidOperationException($"State '{AgentKeys.ToolCallState}' expects the tool calls of the plan as its input.");

    private static bool TryReadArguments(LlmToolCall call, AgentTool tool, out JsonNode? arguments, out string? problem)
    {
        arguments = null;
        problem = null;
        try
        {
            arguments = string.IsNullOrWhiteSpace(call.Arguments) ? new JsonObject() : JsonNode.Parse(call.Arguments);
        }
        catch (JsonException ex)
        {
            problem = $"the arguments of tool '{tool.Name}' are not valid JSON ({ex.Message}): {call.Arguments}";
            return false;
        }

        var errors = tool.Validate(arguments);
        if (errors.Count > 0)
        {
            problem = $"the arguments of tool '{tool.Name}' do not match its schema: {string.Join("; ", errors)}. Arguments given: {call.Arguments}";
            return false;
        }

        return true;
    }

    /// <summary>Why a call was not approved, or <c>null</c> when it was.</summary>
    private static string? Rejection(Wait? wait)
    {
        if (wait is null || wait.IsPending)
        {
            return "the call was not approved (no answer to its approval request).";
        }

        var comment = (wait.Output?[AgentKeys.CommentInput] as JsonValue)?.TryGetValue(out string? c) == true && !string.IsNullOrWhiteSpace(c) ? c : null;
        var approvedFlag = (wait.Output?[AgentKeys.ApproveInput] as JsonValue)?.TryGetValue(out bool approved) == true ? approved : (bool?)null;
        if (wait.Status == WaitStatus.Success && approvedFlag != false)
        {
            return null;
        }

        var reason = comment ?? (wait.Status == WaitStatus.Error ? wait.Error : null);
        return "a human rejected this call" + (string.IsNullOrWhiteSpace(reason) ? "." : ": " + reason);
    }

    private static string ResultText(object? value) => value switch
    {
        null => "null",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString()!,
        JsonElement element => element.GetRawText(),
        JsonValue node when node.TryGetValue(out string? text) => text,
        JsonNode node => node.ToJsonString(),
        _ => JsonValues.ToNode(value, "tool result")?.ToJsonString() ?? "null",
    };
}
