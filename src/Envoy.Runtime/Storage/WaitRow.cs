namespace Envoy.Runtime.Storage;

/// <summary>A resolved wait of a job, not yet applied to its committed context.</summary>
public sealed record WaitRow(string WaitId, WaitResolutionKind Kind, string? OutputJson, string? Error);
