namespace Envoy;

/// <summary>One tool call the model asked for.</summary>
/// <param name="Id">The call id; the tool's result goes back with it (<see cref="LlmMessage.Tool"/>).</param>
/// <param name="Name">The tool's name as the model wrote it (it may name no tool).</param>
/// <param name="Arguments">The arguments as the model wrote them: JSON text, which may be invalid.</param>
public sealed record LlmToolCall(string Id, string Name, string Arguments);
