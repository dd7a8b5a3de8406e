namespace Envoy;

/// <summary>How the <see cref="ToolAgent"/> asks the model for its next move.</summary>
public enum PlanningMode
{
    /// <summary>The endpoint's native tool calling: tools are sent as functions and results go back as <c>tool</c> messages.</summary>
    Native,

    /// <summary>
    /// The seed's JSON plan protocol, for endpoints without tool calling: the model answers with a JSON object
    /// <c>{ "plan", "action", "toolCalls", "answer" }</c> and receives the results in a user message.
    /// </summary>
    JsonPlan,
}
