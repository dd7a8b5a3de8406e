namespace Envoy;

/// <summary>
/// Cross-cutting behaviour for every state of a flow (logging, metrics, guards). Plugins run in an order where each
/// plugin's <see cref="DependsOn"/> run before it. An exception in a plugin fails the step like one in a handler.
/// </summary>
public sealed class StateFlowPlugin
{
    /// <summary>Creates a plugin; <paramref name="name"/> is unique within a flow.</summary>
    public StateFlowPlugin(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The plugin's name, used by other plugins' <see cref="DependsOn"/>.</summary>
    public string Name { get; }

    /// <summary>Plugins that must run before this one.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Runs before the state's <c>OnEnter</c>.</summary>
    public Func<StateContext, Task<StateContext>>? OnEnter { get; init; }

    /// <summary>Runs after the state's <c>OnState</c>, before its <c>OnExit</c>.</summary>
    public Func<StateContext, Task<StateContext>>? OnExit { get; init; }

    /// <summary>
    /// Called after the router with its proposed next state (<c>null</c> when the flow is about to finish) and returns the state
    /// to use. Returning the proposed value means "no opinion"; returning <c>null</c> finishes the flow.
    /// </summary>
    public Func<StateContext, string?, Task<string?>>? OnRoute { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
