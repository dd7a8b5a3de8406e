namespace Envoy;

/// <summary>One piece of a streamed reply (<see cref="IStreamingLlmProvider.GenerateStreamingAsync"/>).</summary>
public sealed record LlmStreamUpdate
{
    /// <summary>Text added by this piece (empty when none).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Tool calls completed by this piece.</summary>
    public IReadOnlyList<LlmToolCall> ToolCalls { get; init; } = [];

    /// <summary>Token usage, on the piece that reports it (usually the last).</summary>
    public LlmUsage? Usage { get; init; }

    /// <summary>Why the model stopped, on the last piece.</summary>
    public string? FinishReason { get; init; }
}
