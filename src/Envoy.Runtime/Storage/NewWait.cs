namespace Envoy.Runtime.Storage;

/// <summary>A wait registered by a step.</summary>
public sealed record NewWait(string WaitId, string Type);
