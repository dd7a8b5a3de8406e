namespace Envoy.AspNetCore.Json;

/// <summary>One (flow, version) pair a worker serves, as the API writes it: <c>{ name, version }</c>.</summary>
/// <param name="Name">The flow's name.</param>
/// <param name="Version">The version (<c>FlowOptions.Version</c>, or the hash of the flow's shape).</param>
public sealed record WorkerFlowJson(string Name, string Version);
