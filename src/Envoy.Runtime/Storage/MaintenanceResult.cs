namespace Envoy.Runtime.Storage;

/// <summary>What one maintenance pass did.</summary>
/// <param name="ExpiredLeases">Running jobs whose lease had expired, now pending again.</param>
/// <param name="PromotedJobs">Delayed jobs that came due since the previous pass.</param>
public sealed record MaintenanceResult(IReadOnlyList<string> ExpiredLeases, long PromotedJobs)
{
    /// <summary>True when the pass changed or found something.</summary>
    public bool Any => ExpiredLeases.Count > 0 || PromotedJobs > 0;
}
