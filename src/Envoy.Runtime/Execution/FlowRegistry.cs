namespace Envoy.Runtime.Execution;

/// <summary>
/// The flows a scheduler can run, by name and version. A name may have several versions (a rolling deploy: jobs started on an
/// older shape finish on it); the newest, which new jobs and children take, is the one registered last.
/// </summary>
internal sealed class FlowRegistry
{
    /// <summary>The longest version <see cref="Add"/> accepts.</summary>
    internal const int MaxVersionLength = 200;

    private readonly Lock _gate = new();
    private Dictionary<string, RegisteredFlow[]> _flows = new(StringComparer.Ordinal);
    private string[] _names = [];
    private string[] _keys = [];
    private FlowVersion[] _pairs = [];

    /// <summary>The registered flow names.</summary>
    public IReadOnlyCollection<string> Names => Volatile.Read(ref _names);

    /// <summary>Every registered (flow, version) pair as a <see cref="Envoy.Runtime.Storage.FlowVersionKey"/>: what claims ask for.</summary>
    public IReadOnlyCollection<string> Keys => Volatile.Read(ref _keys);

    /// <summary>Every registered (flow, version) pair.</summary>
    public IReadOnlyCollection<FlowVersion> Pairs => Volatile.Read(ref _pairs);

    /// <summary>
    /// Registers a version of a flow (its <see cref="FlowOptions.Version"/>, or the hash of its shape), which becomes the newest.
    /// The same version again replaces it (and makes it the newest), unless its version was set by hand for another flow object.
    /// </summary>
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

        var byHand = options?.Version is not null;
        if (options?.Version is { } set && (string.IsNullOrWhiteSpace(set) || set.Length > MaxVersionLength || set.Contains(Envoy.Runtime.Storage.FlowVersionKey.Separator, StringComparison.Ordinal) || set.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException(
                $"FlowOptions.Version of flow '{name}' must be 1 to {MaxVersionLength} characters, not only white space, without U+001F or U+0000 (was '{set}').",
                nameof(options));
        }

        var version = options?.Version ?? FlowShape.Hash(flow);
        var entry = new RegisteredFlow(name, version, byHand, flow, options?.Clone() ?? new FlowOptions());
        lock (_gate)
        {
            var versions = _flows.TryGetValue(name, out var existing) ? existing : [];
            if (versions.FirstOrDefault(v => string.Equals(v.Version, version, StringComparison.Ordinal)) is { } same
                && (same.VersionSetByHand || byHand) && !ReferenceEquals(same.Flow, flow))
            {
                throw new FlowVersionConflictException(name, version);
            }

            var flows = new Dictionary<string, RegisteredFlow[]>(_flows, StringComparer.Ordinal)
            {
                [name] = [.. versions.Where(v => !string.Equals(v.Version, version, StringComparison.Ordinal)), entry],
            };
            var all = flows.Values.SelectMany(v => v).ToArray();
            Volatile.Write(ref _flows, flows);
            Volatile.Write(ref _keys, [.. all.Select(v => v.Key)]);
            Volatile.Write(ref _pairs, [.. all.Select(v => new FlowVersion(v.Name, v.Version))]);
            Volatile.Write(ref _names, [.. flows.Keys]);
        }
    }

    /// <summary>The newest version of a flow (the one new jobs take).</summary>
    public bool TryGet(string name, out StateFlow flow, out FlowOptions options)
    {
        if (TryGetNewest(name) is { } entry)
        {
            (flow, options) = (entry.Flow, entry.Options);
            return true;
        }

        flow = null!;
        options = null!;
        return false;
    }

    /// <summary>The newest version of a flow, or null.</summary>
    public RegisteredFlow? TryGetNewest(string name) =>
        Volatile.Read(ref _flows).TryGetValue(name, out var versions) ? versions[^1] : null;

    /// <summary>
    /// The version a job runs on: its own (<paramref name="version"/>), or the newest for a job with no version recorded (made
    /// before versions existed); null when this scheduler does not have it.
    /// </summary>
    public RegisteredFlow? TryGet(string name, string version)
    {
        if (!Volatile.Read(ref _flows).TryGetValue(name, out var versions))
        {
            return null;
        }

        if (version.Length == 0)
        {
            return versions[^1];
        }

        // A loop, not Array.Find with a lambda: this runs twice per job run, and the lambda's closure allocated each time.
        foreach (var registered in versions)
        {
            if (string.Equals(registered.Version, version, StringComparison.Ordinal))
            {
                return registered;
            }
        }

        return null;
    }

    /// <summary>The versions of a flow registered here, oldest first (the last is the newest); empty when none.</summary>
    public IReadOnlyList<string> VersionsOf(string name) =>
        Volatile.Read(ref _flows).TryGetValue(name, out var versions) ? [.. versions.Select(v => v.Version)] : [];

    /// <summary>The newest version of a flow, or throws.</summary>
    public StateFlow Get(string name) => TryGetNewest(name)?.Flow ?? throw new FlowNotFoundException(name);

    /// <summary>The newest version of each flow, by name.</summary>
    public IReadOnlyDictionary<string, StateFlow> Snapshot() => Volatile.Read(ref _flows).ToDictionary(f => f.Key, f => f.Value[^1].Flow, StringComparer.Ordinal);

    /// <summary>Each flow's versions, oldest first, by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VersionSnapshot() =>
        Volatile.Read(ref _flows).ToDictionary(f => f.Key, f => (IReadOnlyList<string>)[.. f.Value.Select(v => v.Version)], StringComparer.Ordinal);

    /// <summary>The options of every flow registered here (of its newest version), by name.</summary>
    public IReadOnlyList<KeyValuePair<string, FlowOptions>> Options() =>
        [.. Volatile.Read(ref _flows).Select(f => KeyValuePair.Create(f.Key, f.Value[^1].Options))];
}
