namespace Envoy.Runtime.Storage;

/// <summary>What one retention purge batch deleted (<see cref="IJobCoordinationStore.PurgeJobsAsync"/>).</summary>
/// <param name="Jobs">Finished jobs deleted.</param>
/// <param name="Events">Their history entries deleted.</param>
/// <param name="Waits">Their waits deleted.</param>
/// <param name="Escalations">Their escalations deleted.</param>
public sealed record PurgeResult(long Jobs, long Events, long Waits, long Escalations)
{
    /// <summary>Nothing deleted.</summary>
    public static readonly PurgeResult None = new(0, 0, 0, 0);

    /// <summary>The sum of two results.</summary>
    public PurgeResult Add(PurgeResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new PurgeResult(Jobs + other.Jobs, Events + other.Events, Waits + other.Waits, Escalations + other.Escalations);
    }
}
