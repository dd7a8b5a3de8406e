namespace Envoy.Runtime.Storage;

/// <summary>An escalation registered by a step.</summary>
public sealed record NewEscalation(string Id, string User, string Message, string InputsJson);
