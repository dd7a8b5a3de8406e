namespace Envoy;

/// <summary>One version of a flow: the flow's name and the version (<see cref="FlowOptions.Version"/>, or the hash of its shape).</summary>
/// <param name="Flow">The flow's name.</param>
/// <param name="Version">The version.</param>
public sealed record FlowVersion(string Flow, string Version);
