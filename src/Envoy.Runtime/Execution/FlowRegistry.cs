using System.Collections.Concurrent;

namespace Envoy.Runtime.Execution;

/// <summary>The flows a scheduler can run, by name.</summary>
internal sealed class FlowRegistry
{
    private readonly ConcurrentDictionary<string, (StateFlow Flow, FlowOptions Options)> _flows = new(StringComparer.Ordinal);
    private string[] _names = [];

    public IReadOnlyCollection<string> Names => Volatile.Read(ref _names);

    public void Add(string name, StateFlow flow, FlowOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(flow);
        if (flow.StartState is null)
        {
            throw new StateFlowValidationException($"Flow '{name}' has no states, so it cannot run as a job.");
        }

        if (options?.MaxRetries is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxRetries, $"FlowOptions.MaxRetries of flow '{name}' cannot be negative.");
        }

        if (options?.Validate(name) is { Count: > 0 } errors)
        {
            throw new EnvoyConfigurationException(errors);
        }

        _flows[name] = (flow, options?.Clone() ?? new FlowOptions());
        Volatile.Write(ref _names, [.. _flows.Keys]);
    }

    public bool TryGet(string name, out StateFlow flow, out FlowOptions options)
    {
        if (_flows.TryGetValue(name, out var entry))
        {
            (flow, options) = entry;
            return true;
        }

        flow = null!;
        options = null!;
        return false;
    }

    public StateFlow Get(string name) => _flows.TryGetValue(name, out var entry) ? entry.Flow : throw new FlowNotFoundException(name);

    /// <summary>The options of every flow registered here, by name.</summary>
    public IReadOnlyList<KeyValuePair<string, FlowOptions>> Options() => [.. _flows.Select(f => KeyValuePair.Create(f.Key, f.Value.Options))];

    public IReadOnlyDictionary<string, StateFlow> Snapshot() => _flows.ToDictionary(f => f.Key, f => f.Value.Flow, StringComparer.Ordinal);
}
