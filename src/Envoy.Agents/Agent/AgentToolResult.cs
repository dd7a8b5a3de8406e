namespace Envoy;

/// <summary>What one tool call gave back to the model (the output of the <see cref="AgentKeys.ToolCallState"/> step).</summary>
/// <param name="Id">The call id.</param>
/// <param name="Name">The tool name as the model wrote it.</param>
/// <param name="Content">The result as the model sees it, or what went wrong.</param>
/// <param name="IsError">True when the call did not run or failed (unknown tool, bad arguments, an exception, a rejected approval).</param>
public sealed record AgentToolResult(string Id, string Name, string Content, bool IsError);
