namespace Envoy.AspNetCore.Dashboard;

/// <summary>One escalation as the inbox shows it.</summary>
/// <param name="Escalation">The escalation.</param>
/// <param name="Flow">Its job's flow (null when the job is gone).</param>
/// <param name="MayAnswer">Whether the signed-in user may answer it (then the page draws its form).</param>
/// <param name="ToolCall">The tool call it asks about, when a tool agent asks to run a tool.</param>
public sealed record InboxItem(Escalation Escalation, string? Flow, bool MayAnswer, ToolCallApproval? ToolCall);
