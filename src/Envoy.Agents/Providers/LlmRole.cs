namespace Envoy;

/// <summary>Who wrote a message of a conversation.</summary>
public enum LlmRole
{
    /// <summary>Instructions for the model.</summary>
    System,

    /// <summary>The user (text, optionally with images).</summary>
    User,

    /// <summary>The model (text and/or tool calls).</summary>
    Assistant,

    /// <summary>The result of one tool call, answering the call with the same id.</summary>
    Tool,
}
