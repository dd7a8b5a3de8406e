namespace Envoy.AspNetCore.Json;

/// <summary>One flow as <c>GET /flows</c> lists it: <c>{ name, startState, states: [names], mermaid }</c>.</summary>
/// <param name="Name">The name it is registered under.</param>
/// <param name="StartState">Where runs start.</param>
/// <param name="States">The states' names in declaration order.</param>
/// <param name="Mermaid">The flow as a Mermaid <c>graph TD</c>.</param>
public sealed record FlowSummaryJson(string Name, string? StartState, IReadOnlyList<string> States, string Mermaid)
{
    /// <summary>The list form of the flow registered as <paramref name="name"/>.</summary>
    public static FlowSummaryJson From(string name, StateFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        return new FlowSummaryJson(name, flow.StartState, flow.Nodes.Select(s => s.Name).ToList(), flow.ToMermaid());
    }
}
