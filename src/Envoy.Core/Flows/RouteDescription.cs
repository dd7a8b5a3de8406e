namespace Envoy;

/// <summary>One route of a <see cref="StateDescription"/>: where it leads and what it means.</summary>
/// <param name="To">The name of the state it leads to.</param>
/// <param name="Description">The route's <see cref="Route.Description"/> (the edge label in Mermaid), or null.</param>
/// <param name="IsDefault">Whether it is the <see cref="Route.Default"/> route of a <see cref="Router.Routes"/> router.</param>
public sealed record RouteDescription(string To, string? Description, bool IsDefault = false);
