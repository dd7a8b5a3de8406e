using System.Globalization;

namespace Envoy;

public sealed partial class ToolAgent
{
    /// <summary>One model call: appends the reply to the conversation and routes to ToolCall, Finish, or Plan again.</summary>
    private async Task<StateContext> PlanAsync(StateContext ctx)
    {
        var conversation = AgentConversation.Load(ctx);
        LlmResponse response;
        using var gate = LlmCallGate.Enter(ctx, _options.TokensPerMinute, _options.TokensWindow);
        try
        {
            response = StreamsTo(ctx)
                ? await GenerateStreamingAsync(conversation, ctx).ConfigureAwait(false)
                : await _provider.GenerateAsync(conversation, _callConfig, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (LlmException ex) when (string.Equals(ex.Type, LlmErrorTypes.InvalidJson, StringComparison.Ordinal))
        {
            ctx.Set(AgentKeys.ModelCalls, ctx.Get<int>(AgentKeys.ModelCalls) + 1);
            return Unusable(ctx, conversation, null, ex.Message);
        }

        AgentConversation.AddUsage(ctx, response.Usage, response.Model ?? _callConfig.Model);
        return _options.PlanningMode == PlanningMode.JsonPlan
            ? PlanFromJson(ctx, conversation, response)
            : PlanFromNative(ctx, conversation, response);
    }

    private StateContext PlanFromNative(StateContext ctx, List<LlmMessage> conversation, LlmResponse response)
    {
        if (response.ToolCalls.Count > 0)
        {
            var calls = WithIds(response.ToolCalls, ctx.Step);
            conversation.Add(LlmMessage.Assistant(string.IsNullOrEmpty(response.Text) ? null : response.Text, calls));
            return ToTools(ctx, conversation, calls);
        }

        if (!string.IsNullOrWhiteSpace(response.Text))
        {
            conversation.Add(LlmMessage.Assistant(response.Text));
            return ToFinish(ctx, conversation, response.Text);
        }

        return Unusable(ctx, conversation, response.Text, "it has neither text nor tool calls.");
    }

    private StateContext PlanFromJson(StateContext ctx, List<LlmMessage> conversation, LlmResponse response)
    {
        var (plan, problem) = JsonPlan.Read(response.Data, ctx.Step);
        if (plan is null)
        {
            return Unusable(ctx, conversation, response.Text, problem!);
        }

        conversation.Add(LlmMessage.Assistant(response.Text));
        return plan.ToolCalls.Count > 0 ? ToTools(ctx, conversation, plan.ToolCalls) : ToFinish(ctx, conversation, plan.Answer!);
    }

    private static StateContext ToTools(StateContext ctx, List<LlmMessage> conversation, IReadOnlyList<LlmToolCall> calls)
    {
        AgentConversation.Save(ctx, conversation);
        ctx.Set(AgentKeys.InvalidReplies, 0);
        ctx.Set(AgentKeys.Next, AgentKeys.ToolCallState);
        return ctx.Output(calls);
    }

    private static StateContext ToFinish(StateContext ctx, List<LlmMessage> conversation, string answer)
    {
        AgentConversation.Save(ctx, conversation);
        ctx.Set(AgentKeys.InvalidReplies, 0);
        ctx.Set(AgentKeys.Next, AgentKeys.FinishState);
        return ctx.Output(answer);
    }

    /// <summary>A reply the agent cannot act on: ask again (a new Plan step) up to <see cref="AgentOptions.MaxRetry"/> times in a row.</summary>
    private StateContext Unusable(StateContext ctx, List<LlmMessage> conversation, string? reply, string problem)
    {
        var count = ctx.Get<int>(AgentKeys.InvalidReplies) + 1;
        ctx.Set(AgentKeys.InvalidReplies, count);
        if (count > _options.MaxRetry)
        {
            return ctx.Fail(string.Create(CultureInfo.InvariantCulture, $"The model gave {count} unusable replies in a row (MaxRetry is {_options.MaxRetry}); the last: {problem}"));
        }

        if (!string.IsNullOrEmpty(reply))
        {
            conversation.Add(LlmMessage.Assistant(reply));
        }

        conversation.Add(LlmMessage.User(AgentPrompts.Retry(problem, _options.PlanningMode)));
        AgentConversation.Save(ctx, conversation);
        ctx.Set(AgentKeys.Next, AgentKeys.PlanState);
        return ctx;
    }

    /// <summary>Gives every call a unique id (some OpenAI-compatible servers send none).</summary>
    private static List<LlmToolCall> WithIds(IReadOnlyList<LlmToolCall> calls, int step)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<LlmToolCall>(calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            if (string.IsNullOrWhiteSpace(call.Id) || !ids.Add(call.Id))
            {
                call = call with { Id = string.Create(CultureInfo.InvariantCulture, $"call_{step}_{i + 1}") };
                ids.Add(call.Id);
            }

            result.Add(call);
        }

        return result;
    }
}
