namespace Envoy;

/// <summary>Settings of a <see cref="StateFlow"/>; validated when the flow is built.</summary>
public sealed class StateFlowOptions
{
    /// <summary>The default of <see cref="MaxSteps"/>.</summary>
    public const int DefaultMaxSteps = 25;

    /// <summary>The state a run starts in; default: the first state declared.</summary>
    public string? StartState { get; set; }

    /// <summary>The most steps a run may take; the step that reaches it runs, no further one does. Default 25.</summary>
    public int MaxSteps { get; set; } = DefaultMaxSteps;

    /// <summary>Plugins, ordered by their dependencies when the flow is built.</summary>
    public IReadOnlyList<StateFlowPlugin> Plugins { get; set; } = [];

    /// <summary>Flows that <see cref="StateFlow.RunAsync(object?, CancellationToken)"/> may run in-process as spawned children, by name.</summary>
    public IReadOnlyDictionary<string, StateFlow>? Flows { get; set; }

    /// <summary>Finds a child flow by name for in-process runs when <see cref="Flows"/> does not have it.</summary>
    public Func<string, StateFlow?>? FlowResolver { get; set; }
}
