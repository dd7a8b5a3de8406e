using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>What one model call returned.</summary>
public sealed record LlmResponse
{
    /// <summary>The reply's text (empty when the model only called tools).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The tools the model asked to call, in order.</summary>
    public IReadOnlyList<LlmToolCall> ToolCalls { get; init; } = [];

    /// <summary>The parsed reply in <see cref="LlmMode.Json"/> and <see cref="LlmMode.Xml"/> modes; otherwise <c>null</c>.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Tokens used by this call.</summary>
    public LlmUsage Usage { get; init; } = LlmUsage.Zero;

    /// <summary>The model that answered, as the endpoint reported it.</summary>
    public string? Model { get; init; }

    /// <summary>Why the model stopped (<c>stop</c>, <c>tool_calls</c>, <c>length</c>...), when reported.</summary>
    public string? FinishReason { get; init; }
}
