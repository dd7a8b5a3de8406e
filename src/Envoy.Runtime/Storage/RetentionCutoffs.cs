namespace Envoy.Runtime.Storage;

/// <summary>
/// Which finished jobs a retention purge may delete (<see cref="IJobCoordinationStore.PurgeJobsAsync"/>): those finished before
/// their flow's cutoff (Unix milliseconds). A flow in <see cref="FlowBeforeMs"/> uses its own (null there keeps that flow's
/// jobs forever); every other flow uses <see cref="DefaultBeforeMs"/> (null keeps them forever).
/// </summary>
/// <param name="DefaultBeforeMs">The cutoff of the flows without an override, or null to keep their jobs.</param>
/// <param name="FlowBeforeMs">The flows with an override and their cutoff (null: kept forever).</param>
public sealed record RetentionCutoffs(long? DefaultBeforeMs, IReadOnlyDictionary<string, long?> FlowBeforeMs)
{
    /// <summary>The value a store may use in SQL for "keep forever": earlier than any finish time.</summary>
    public const long Never = long.MinValue;

    /// <summary>True when no job can be deleted (every cutoff keeps forever).</summary>
    public bool KeepsEverything => LatestBeforeMs == Never;

    /// <summary>The latest cutoff of all, or <see cref="Never"/>: no job finished at or after it can be deleted.</summary>
    public long LatestBeforeMs => FlowBeforeMs.Values.Select(c => c ?? Never).Append(DefaultBeforeMs ?? Never).Max();

    /// <summary>The cutoff of a flow, or <see cref="Never"/> when its jobs are kept forever.</summary>
    public long BeforeMsOf(string flow) => (FlowBeforeMs.TryGetValue(flow, out var own) ? own : DefaultBeforeMs) ?? Never;
}
