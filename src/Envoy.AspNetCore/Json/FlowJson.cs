namespace Envoy.AspNetCore.Json;

/// <summary>One flow as <c>GET /flows/{name}</c> writes it: its states with their routes, and its Mermaid graph.</summary>
/// <param name="Name">The name it is registered under.</param>
/// <param name="StartState">Where runs start.</param>
/// <param name="States">The states in declaration order, each with the routes leaving it.</param>
/// <param name="Plugins">The plugins' names, in the order they run.</param>
/// <param name="Mermaid">The flow as a Mermaid <c>graph TD</c>.</param>
public sealed record FlowJson(string Name, string? StartState, IReadOnlyList<FlowStateJson> States, IReadOnlyList<string> Plugins, string Mermaid)
{
    /// <summary>The API form of the flow registered as <paramref name="name"/>.</summary>
    public static FlowJson From(string name, StateFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var description = flow.Describe();
        return new FlowJson(
            name,
            description.StartState,
            description.States.Select(s => new FlowStateJson(s.Name, s.Description, s.IsFinal, s.Routes.Select(r => new FlowRouteJson(r.To, r.Description, r.IsDefault)).ToList())).ToList(),
            description.Plugins,
            flow.ToMermaid());
    }
}

/// <summary>A state of <see cref="FlowJson"/>: <c>{ name, description, final, routes: [{ to, description, default }] }</c>.</summary>
/// <param name="Name">The state's name.</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="Final">True when no route leaves it (the flow always finishes after it).</param>
/// <param name="Routes">The states that may follow.</param>
public sealed record FlowStateJson(string Name, string? Description, bool Final, IReadOnlyList<FlowRouteJson> Routes);

/// <summary>A route of <see cref="FlowStateJson"/>.</summary>
/// <param name="To">The state it leads to.</param>
/// <param name="Description">What it means (the Mermaid edge label), or null.</param>
/// <param name="Default">Whether it is the router's default route.</param>
public sealed record FlowRouteJson(string To, string? Description, bool Default);
