namespace Envoy;

/// <summary>The names of the <see cref="ToolAgent"/>'s states and the context data keys where it keeps its run.</summary>
public static class AgentKeys
{
    /// <summary>The first state: builds the conversation from the task.</summary>
    public const string StartState = "Start";

    /// <summary>One model call per step: the model answers or asks for tools.</summary>
    public const string PlanState = "Plan";

    /// <summary>One round of tool calls per step, run concurrently.</summary>
    public const string ToolCallState = "ToolCall";

    /// <summary>The last state; its output is the final answer.</summary>
    public const string FinishState = "Finish";

    /// <summary>The conversation so far (a JSON array of <see cref="LlmMessage"/>), kept in the context so a resumed run continues it.</summary>
    public const string Messages = "agent.messages";

    /// <summary>Tokens used by the whole run so far (<see cref="LlmUsage"/>).</summary>
    public const string Usage = "agent.usage";

    /// <summary>Tokens used by each model-calling step: an object keyed by step number, each an <see cref="LlmUsage"/>.</summary>
    public const string StepUsage = "agent.stepUsage";

    /// <summary>The model that answered the last call (as the endpoint reported it, else the configured <see cref="AgentOptions.Model"/>).</summary>
    public const string Model = "agent.model";

    /// <summary>The model that answered each model-calling step: an object keyed by step number (like <see cref="StepUsage"/>).</summary>
    public const string StepModel = "agent.stepModel";

    /// <summary>How many model calls the run made.</summary>
    public const string ModelCalls = "agent.modelCalls";

    /// <summary>Unusable replies in a row (reset by a usable one).</summary>
    public const string InvalidReplies = "agent.invalidReplies";

    /// <summary>The escalation wait id of each call awaiting approval, keyed by call id (for the current tool round only).</summary>
    public const string Approvals = "$agentApprovals";

    /// <summary>The id of the approve field of an approval escalation.</summary>
    public const string ApproveInput = "approved";

    /// <summary>The id of the comment field of an approval escalation.</summary>
    public const string CommentInput = "comment";

    internal const string Next = "$agentNext";
}
