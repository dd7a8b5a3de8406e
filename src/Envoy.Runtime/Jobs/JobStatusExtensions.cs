namespace Envoy;

/// <summary>Helpers for <see cref="JobStatus"/>.</summary>
public static class JobStatusExtensions
{
    /// <summary>True for <see cref="JobStatus.Done"/>, <see cref="JobStatus.Failed"/> and <see cref="JobStatus.Cancelled"/>.</summary>
    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Done or JobStatus.Failed or JobStatus.Cancelled;
}
