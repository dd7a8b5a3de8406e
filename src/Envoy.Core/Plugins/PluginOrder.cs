namespace Envoy;

/// <summary>Orders plugins so that each one's dependencies run before it, keeping declaration order otherwise.</summary>
internal static class PluginOrder
{
    public static StateFlowPlugin[] Sort(IReadOnlyList<StateFlowPlugin> plugins)
    {
        var byName = new Dictionary<string, StateFlowPlugin>(StringComparer.Ordinal);
        foreach (var plugin in plugins)
        {
            ArgumentNullException.ThrowIfNull(plugin, nameof(plugins));
            if (!byName.TryAdd(plugin.Name, plugin))
            {
                throw new StateFlowValidationException($"Plugin '{plugin.Name}' is declared twice.");
            }
        }

        foreach (var plugin in plugins)
        {
            foreach (var dependency in plugin.DependsOn)
            {
                if (!byName.ContainsKey(dependency))
                {
                    throw new StateFlowValidationException($"Plugin '{plugin.Name}' depends on '{dependency}', which is not in the flow.");
                }
            }
        }

        var ordered = new List<StateFlowPlugin>(plugins.Count);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var plugin in plugins)
        {
            Visit(plugin, byName, done, path, ordered);
        }

        return [.. ordered];
    }

    private static void Visit(
        StateFlowPlugin plugin,
        Dictionary<string, StateFlowPlugin> byName,
        HashSet<string> done,
        List<string> path,
        List<StateFlowPlugin> ordered)
    {
        if (done.Contains(plugin.Name))
        {
            return;
        }

        var cycleStart = path.IndexOf(plugin.Name);
        if (cycleStart >= 0)
        {
            var cycle = path.Skip(cycleStart).Append(plugin.Name);
            throw new StateFlowValidationException($"Plugin dependency cycle: {string.Join(" -> ", cycle)}.");
        }

        path.Add(plugin.Name);
        foreach (var dependency in plugin.DependsOn)
        {
            Visit(byName[dependency], byName, done, path, ordered);
        }

        path.RemoveAt(path.Count - 1);
        done.Add(plugin.Name);
        ordered.Add(plugin);
    }
}
