namespace Envoy;

/// <summary>
/// What a flow looks like, without running it: its start state, its states in declaration order with the routes leaving each,
/// and its plugins. Built by <see cref="StateFlow.Describe"/> from the same router data that <see cref="StateFlow.ToMermaid"/>
/// draws; for dashboards, APIs and tools.
/// </summary>
/// <param name="StartState">The state where runs start (<c>null</c> for an empty flow).</param>
/// <param name="States">The states in declaration order.</param>
/// <param name="Plugins">The plugins' names, in the order they run.</param>
public sealed record FlowDescription(string? StartState, IReadOnlyList<StateDescription> States, IReadOnlyList<string> Plugins);
