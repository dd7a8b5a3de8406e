namespace Envoy;

/// <summary>
/// A workflow: named states, each with handlers and a router. Run it in-process with <see cref="RunAsync(object?, CancellationToken)"/>,
/// one step at a time with <see cref="StepAsync(StateContext, CancellationToken)"/>, or as durable jobs with the scheduler.
/// A flow is immutable once built (except <see cref="AddPlugin"/>) and safe to share between threads.
/// </summary>
public sealed partial class StateFlow
{
    private readonly State[] _states;
    private readonly Dictionary<string, int> _indexByName;
    private StateFlowPlugin[] _plugins;

    /// <summary>Builds and validates a flow.</summary>
    /// <exception cref="StateFlowValidationException">A duplicate state, a router naming an unknown state, an unknown start state, a missing <c>OnState</c>, a bad <c>MaxSteps</c>, or a plugin problem; the message names it.</exception>
    public StateFlow(IEnumerable<State> states, StateFlowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(states);
        options ??= new StateFlowOptions();
        _states = [.. states];
        _indexByName = new Dictionary<string, int>(_states.Length, StringComparer.Ordinal);
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _states[i] ?? throw new StateFlowValidationException($"State #{i + 1} is null.");
            if (!_indexByName.TryAdd(state.Name, i))
            {
                throw new StateFlowValidationException($"State '{state.Name}' is declared twice.");
            }

            if (state.OnState is null)
            {
                throw new StateFlowValidationException($"State '{state.Name}' has no OnState handler.");
            }
        }

        foreach (var state in _states)
        {
            foreach (var (target, _) in state.Router?.Targets ?? [])
            {
                if (!_indexByName.ContainsKey(target))
                {
                    throw new StateFlowValidationException($"State '{state.Name}' routes to '{target}', which is not a state of the flow.");
                }
            }
        }

        if (options.StartState is not null && !_indexByName.ContainsKey(options.StartState))
        {
            throw new StateFlowValidationException($"The start state '{options.StartState}' is not a state of the flow.");
        }

        if (options.MaxSteps < 1)
        {
            throw new StateFlowValidationException($"MaxSteps must be at least 1 (was {options.MaxSteps}).");
        }

        StartState = options.StartState ?? (_states.Length > 0 ? _states[0].Name : null);
        MaxSteps = options.MaxSteps;
        Flows = options.Flows is null ? null : new Dictionary<string, StateFlow>(options.Flows, StringComparer.Ordinal);
        FlowResolver = options.FlowResolver;
        _plugins = PluginOrder.Sort(options.Plugins ?? []);
    }

    /// <summary>The states in declaration order.</summary>
    public IReadOnlyList<State> Nodes => _states;

    /// <summary>The state where runs start (<c>null</c> for an empty flow).</summary>
    public string? StartState { get; }

    /// <summary>The most steps a run may take.</summary>
    public int MaxSteps { get; }

    /// <summary>The plugins, in the order they run.</summary>
    public IReadOnlyList<StateFlowPlugin> Plugins => Volatile.Read(ref _plugins);

    /// <summary>Child flows that in-process runs may spawn, by name.</summary>
    public IReadOnlyDictionary<string, StateFlow>? Flows { get; }

    /// <summary>Finds child flows for in-process runs when <see cref="Flows"/> does not have them.</summary>
    public Func<string, StateFlow?>? FlowResolver { get; }

    /// <summary>The state with this name, or <c>null</c>.</summary>
    public State? Node(string name) => name is not null && _indexByName.TryGetValue(name, out var i) ? _states[i] : null;

    /// <summary>Adds a plugin after the existing ones; its dependencies must already be present. Returns this flow.</summary>
    /// <exception cref="StateFlowValidationException">A missing dependency or a duplicate name.</exception>
    public StateFlow AddPlugin(StateFlowPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        while (true)
        {
            var current = Volatile.Read(ref _plugins);
            if (Array.Exists(current, p => string.Equals(p.Name, plugin.Name, StringComparison.Ordinal)))
            {
                throw new StateFlowValidationException($"Plugin '{plugin.Name}' is already in the flow.");
            }

            foreach (var dependency in plugin.DependsOn)
            {
                if (!Array.Exists(current, p => string.Equals(p.Name, dependency, StringComparison.Ordinal)))
                {
                    throw new StateFlowValidationException($"Plugin '{plugin.Name}' depends on '{dependency}', which is not in the flow; add it first.");
                }
            }

            StateFlowPlugin[] next = [.. current, plugin];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _plugins, next, current), current))
            {
                return this;
            }
        }
    }

    /// <summary>A new context at the start state, step 1, with <paramref name="input"/> as input and output.</summary>
    /// <exception cref="StateFlowValidationException">The flow has no states.</exception>
    public StateContext NewContext(object? input = null) =>
        new(StartState ?? throw new StateFlowValidationException("The flow has no states, so it cannot run."), input);

    private int IndexOf(string name) => _indexByName.TryGetValue(name, out var i) ? i : -1;
}
