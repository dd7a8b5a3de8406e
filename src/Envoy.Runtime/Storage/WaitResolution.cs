namespace Envoy.Runtime.Storage;

/// <summary>An answer to one wait of a job.</summary>
public sealed record WaitResolution(string JobId, string WaitId, WaitResolutionKind Kind, string? OutputJson, string? Error, long NowMs);
