namespace Envoy;

public sealed partial class StateFlow
{
    /// <summary>
    /// Describes the flow (the way Stateless's <c>GetInfo()</c> feeds its graphs): its start state, each state with the routes
    /// that leave it, and its plugins. <see cref="ToMermaid"/> draws this description.
    /// </summary>
    public FlowDescription Describe()
    {
        var states = new StateDescription[_states.Length];
        for (var i = 0; i < _states.Length; i++)
        {
            var state = _states[i];
            IEnumerable<KeyValuePair<string, Route?>> targets = state.Router is null
                ? (i + 1 < _states.Length ? [new(_states[i + 1].Name, null)] : [])
                : state.Router.Targets;
            var routes = targets.Select(t => new RouteDescription(t.Key, string.IsNullOrEmpty(t.Value?.Description) ? null : t.Value.Description, t.Value?.Default ?? false)).ToList();
            states[i] = new StateDescription(state.Name, state.Description, routes);
        }

        return new FlowDescription(StartState, states, Plugins.Select(p => p.Name).ToList());
    }
}
