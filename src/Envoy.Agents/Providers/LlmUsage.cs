namespace Envoy;

/// <summary>Tokens consumed by one or more model calls.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
public sealed record LlmUsage(int InputTokens, int OutputTokens)
{
    /// <summary>No tokens.</summary>
    public static LlmUsage Zero { get; } = new(0, 0);

    /// <summary>Input plus output tokens.</summary>
    public int TotalTokens => InputTokens + OutputTokens;

    /// <summary>The sum of two usages.</summary>
    public static LlmUsage operator +(LlmUsage left, LlmUsage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return left.Add(right);
    }

    /// <summary>The sum of this usage and <paramref name="other"/>.</summary>
    public LlmUsage Add(LlmUsage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new LlmUsage(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens);
    }
}
