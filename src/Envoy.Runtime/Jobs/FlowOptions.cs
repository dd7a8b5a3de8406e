namespace Envoy;

/// <summary>Per-flow settings given to <c>AddFlow</c>.</summary>
public sealed class FlowOptions
{
    /// <summary>Overrides the scheduler's <c>MaxRetries</c> for jobs of this flow (0 = never retry).</summary>
    public int? MaxRetries { get; set; }
}
