namespace Envoy;

/// <summary>Reads and writes the agent's conversation and usage in the context data.</summary>
internal static class AgentConversation
{
    public static List<LlmMessage> Load(StateContext ctx) =>
        ctx.Get<List<LlmMessage>>(AgentKeys.Messages)
        ?? throw new InvalidOperationException($"The context has no conversation under '{AgentKeys.Messages}'; start the run at state '{AgentKeys.StartState}'.");

    public static void Save(StateContext ctx, List<LlmMessage> messages) => ctx.Set(AgentKeys.Messages, messages);

    public static void AddUsage(StateContext ctx, LlmUsage usage, string? model = null)
    {
        var run = ctx.Get<LlmUsage>(AgentKeys.Usage) ?? LlmUsage.Zero;
        ctx.Set(AgentKeys.Usage, run + usage);
        var stepKey = AgentKeys.StepUsage + "." + ctx.Step.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var step = ctx.Get<LlmUsage>(stepKey) ?? LlmUsage.Zero;
        ctx.Set(stepKey, step + usage);
        if (!string.IsNullOrEmpty(model))
        {
            ctx.Set(AgentKeys.Model, model);
            ctx.Set(AgentKeys.StepModel + "." + ctx.Step.ToString(System.Globalization.CultureInfo.InvariantCulture), model);
        }

        ctx.Set(AgentKeys.ModelCalls, ctx.Get<int>(AgentKeys.ModelCalls) + 1);
    }
}
