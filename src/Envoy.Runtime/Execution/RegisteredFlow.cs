using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>One version of a flow registered with a scheduler: its flow, options and state names.</summary>
internal sealed record RegisteredFlow(string Name, string Version, bool VersionSetByHand, StateFlow Flow, FlowOptions Options)
{
    private readonly HashSet<string> _states = new(Flow.Nodes.Select(n => n.Name), StringComparer.Ordinal);

    /// <summary>The key of this (flow, version) pair in claims and queries (<see cref="FlowVersionKey"/>).</summary>
    public string Key { get; } = FlowVersionKey.Of(Name, Version);

    /// <summary>Whether this version has a state of this name.</summary>
    public bool HasState(string state) => _states.Contains(state);
}
