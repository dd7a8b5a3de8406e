using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>A named state of a flow: handlers that run when the flow is in it, and a router that picks what comes next.</summary>
public sealed class State
{
    /// <summary>Creates a state; <paramref name="name"/> is unique within its flow.</summary>
    public State(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The state's name.</summary>
    public string Name { get; }

    /// <summary>Runs first when the state is entered (optional).</summary>
    public Func<StateContext, Task<StateContext>>? OnEnter { get; init; }

    /// <summary>The state's main work (required).</summary>
    public Func<StateContext, Task<StateContext>>? OnState { get; init; }

    /// <summary>Runs last, before the router (optional).</summary>
    public Func<StateContext, Task<StateContext>>? OnExit { get; init; }

    /// <summary>Which state comes next. Without one, the next declared state follows, and the flow finishes after the last.</summary>
    public Router? Router { get; init; }

    /// <summary>A description for graphs and dashboards (optional).</summary>
    public string? Description { get; init; }

    /// <summary>A JSON Schema of the expected input, for documentation and tools (not enforced by the engine).</summary>
    public JsonNode? InputSchema { get; init; }

    /// <summary>A JSON Schema of the output, for documentation and tools (not enforced by the engine).</summary>
    public JsonNode? OutputSchema { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
