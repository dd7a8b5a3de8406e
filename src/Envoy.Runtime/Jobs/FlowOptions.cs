namespace Envoy;

/// <summary>Per-flow settings given to <c>AddFlow</c>.</summary>
public sealed class FlowOptions
{
    /// <summary>Overrides the scheduler's <c>MaxRetries</c> for jobs of this flow (0 = never retry).</summary>
    public int? MaxRetries { get; set; }

    /// <summary>
    /// This flow's version, set by hand (1 to 200 characters, not only white space); null (the default) takes a stable hash of
    /// the flow's shape (its start state, state names and routes). Each job records the version it started with and runs only on
    /// schedulers that have that version; several versions of one flow may be registered at once, and new jobs take the one
    /// registered last. The same version registered again for another <see cref="StateFlow"/> object is refused
    /// (<see cref="FlowVersionConflictException"/>).
    /// </summary>
    public string? Version { get; set; }
}
