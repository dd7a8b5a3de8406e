namespace Envoy;

/// <summary>One state of a <see cref="FlowDescription"/>: its name and the routes leaving it.</summary>
/// <param name="Name">The state's name.</param>
/// <param name="Description">The state's own description (<see cref="State.Description"/>), if any.</param>
/// <param name="Routes">
/// The states that may follow, in the router's order: the one target of <see cref="Router.Next"/>, every route of
/// <see cref="Router.Routes"/>, none for <see cref="Router.End"/>, and the next declared state for a state without a router
/// (none after the last).
/// </param>
public sealed record StateDescription(string Name, string? Description, IReadOnlyList<RouteDescription> Routes)
{
    /// <summary>True when no route leaves the state: the flow always finishes after it.</summary>
    public bool IsFinal => Routes.Count == 0;
}
