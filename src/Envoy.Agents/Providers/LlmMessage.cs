using System.Text.Json.Serialization;

namespace Envoy;

/// <summary>
/// One message of a conversation. Build with <see cref="System"/>, <see cref="User"/>, <see cref="Assistant"/> and
/// <see cref="Tool"/>. Messages are plain JSON-serializable records, so a conversation can live in a flow's context.
/// </summary>
public sealed record LlmMessage
{
    /// <summary>Creates a message; prefer the factories.</summary>
    [JsonConstructor]
    public LlmMessage(LlmRole role, string? content, IReadOnlyList<LlmImage>? images = null, IReadOnlyList<LlmToolCall>? toolCalls = null, string? toolCallId = null)
    {
        if (role == LlmRole.Tool && string.IsNullOrWhiteSpace(toolCallId))
        {
            throw new ArgumentException("A tool message needs the id of the call it answers.", nameof(toolCallId));
        }

        Role = role;
        Content = content;
        Images = images ?? [];
        ToolCalls = toolCalls ?? [];
        ToolCallId = toolCallId;
    }

    /// <summary>Who wrote it.</summary>
    public LlmRole Role { get; }

    /// <summary>The text (may be <c>null</c> for an assistant message that only calls tools).</summary>
    public string? Content { get; }

    /// <summary>Images attached to a user message.</summary>
    public IReadOnlyList<LlmImage> Images { get; }

    /// <summary>Tool calls of an assistant message.</summary>
    public IReadOnlyList<LlmToolCall> ToolCalls { get; }

    /// <summary>For a tool message: the id of the call it answers.</summary>
    public string? ToolCallId { get; }

    /// <summary>Instructions for the model.</summary>
    public static LlmMessage System(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new LlmMessage(LlmRole.System, text);
    }

    /// <summary>A user message, optionally with images.</summary>
    public static LlmMessage User(string text, IEnumerable<LlmImage>? images = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new LlmMessage(LlmRole.User, text, images?.ToList());
    }

    /// <summary>A model message: its text and/or the tools it called.</summary>
    public static LlmMessage Assistant(string? text, IEnumerable<LlmToolCall>? toolCalls = null) =>
        new(LlmRole.Assistant, text, null, toolCalls?.ToList());

    /// <summary>The result of the tool call <paramref name="callId"/>.</summary>
    public static LlmMessage Tool(string callId, string content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callId);
        ArgumentNullException.ThrowIfNull(content);
        return new LlmMessage(LlmRole.Tool, content, toolCallId: callId);
    }
}
