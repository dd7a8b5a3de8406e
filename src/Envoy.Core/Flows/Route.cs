using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>One allowed next state of a <see cref="Router.Routes"/> router.</summary>
public sealed class Route
{
    /// <summary>What this route means; drawn as the edge label in <see cref="StateFlow.ToMermaid"/>.</summary>
    public string? Description { get; init; }

    /// <summary>Turns the output into the next state's input when this route is taken (optional).</summary>
    public Func<JsonNode?, StateContext, JsonNode?>? Map { get; init; }

    /// <summary>Taken when the route callback returns a name that does not exist.</summary>
    public bool Default { get; init; }
}
