namespace Envoy;

/// <summary>What one health probe of the store or of its coordination server found.</summary>
/// <param name="IsHealthy">Whether the server answered within the timeout.</param>
/// <param name="Duration">How long the probe took.</param>
/// <param name="Error">Why it is unhealthy (the error, or that it did not answer in time); null when healthy.</param>
public sealed record HealthProbeResult(bool IsHealthy, TimeSpan Duration, string? Error);
