using System.Text.Json.Nodes;

namespace Envoy;

/// <summary>Decides a state's successor: <see cref="Next"/>, <see cref="End"/> or <see cref="Routes"/>.</summary>
public abstract class Router
{
    private protected Router()
    {
    }

    /// <summary>Finish the flow after this state.</summary>
    public static Router End { get; } = new EndRouter();

    /// <summary>Always go to <paramref name="name"/>, optionally mapping the output into its input.</summary>
    public static Router Next(string name, Func<JsonNode?, StateContext, JsonNode?>? map = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new NextRouter(name, map);
    }

    /// <summary>
    /// Dynamic routing: <paramref name="onRoute"/> returns the next state's name (or <c>null</c> to finish), which must be one of
    /// <paramref name="routes"/> (keyed by state name). An unknown name takes the <see cref="Route.Default"/> route, or else
    /// finishes the flow with <see cref="DoneReason.Error"/>.
    /// </summary>
    public static Router Routes(IReadOnlyDictionary<string, Route> routes, Func<StateContext, Task<string?>> onRoute)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(onRoute);
        if (routes.Values.Count(r => r.Default) > 1)
        {
            throw new StateFlowValidationException($"Only one route may be the default; found {string.Join(", ", routes.Where(r => r.Value.Default).Select(r => r.Key))}.");
        }

        return new RoutesRouter(new Dictionary<string, Route>(routes, StringComparer.Ordinal), onRoute);
    }

    /// <summary>The states this router can lead to, with their route descriptions (for validation and graphs).</summary>
    public abstract IEnumerable<KeyValuePair<string, Route?>> Targets { get; }

    internal sealed class EndRouter : Router
    {
        public override IEnumerable<KeyValuePair<string, Route?>> Targets => [];
    }

    internal sealed class NextRouter(string target, Func<JsonNode?, StateContext, JsonNode?>? map) : Router
    {
        public string Target { get; } = target;

        public Func<JsonNode?, StateContext, JsonNode?>? Map { get; } = map;

        public override IEnumerable<KeyValuePair<string, Route?>> Targets => [new(Target, null)];
    }

    internal sealed class RoutesRouter(Dictionary<string, Route> routes, Func<StateContext, Task<string?>> onRoute) : Router
    {
        public Dictionary<string, Route> RouteTable { get; } = routes;

        public Func<StateContext, Task<string?>> OnRoute { get; } = onRoute;

        public string? DefaultTarget { get; } = routes.FirstOrDefault(r => r.Value.Default).Key;

        public override IEnumerable<KeyValuePair<string, Route?>> Targets => RouteTable.Select(r => new KeyValuePair<string, Route?>(r.Key, r.Value));
    }
}
