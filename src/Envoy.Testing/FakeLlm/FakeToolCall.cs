namespace Envoy.Testing;

/// <summary>A tool call in a scripted completion.</summary>
/// <param name="Name">The tool name.</param>
/// <param name="Arguments">The arguments: a string is sent as it is (so it may be invalid JSON); anything else is serialized; <c>null</c> sends <c>{}</c>.</param>
/// <param name="Id">The call id; default <c>call_{request}_{index}</c>.</param>
public sealed record FakeToolCall(string Name, object? Arguments = null, string? Id = null);
