using Envoy.AspNetCore.Errors;
using Envoy.AspNetCore.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/flows</c> routes: name, start state, states, routes, Mermaid.</summary>
internal static class FlowsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var flows = api.MapGroup("/flows").WithTags("Flows");
        flows.MapGet(string.Empty, List).WithName("ListFlows").WithSummary("The registered flows: name, start state, state names and Mermaid graph, by name.");
        flows.MapGet("/{name}", Get).WithName("GetFlow").WithSummary("One flow: its states with the routes leaving each, and its Mermaid graph.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static JsonHttpResult<List<FlowSummaryJson>> List(Scheduler scheduler) =>
        TypedResults.Json(
            scheduler.Flows.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => FlowSummaryJson.From(f.Key, f.Value)).ToList(),
            EnvoyApiJsonContext.Default.ListFlowSummaryJson);

    private static JsonHttpResult<FlowJson> Get(string name, Scheduler scheduler) =>
        scheduler.Flows.TryGetValue(name, out var flow)
            ? TypedResults.Json(FlowJson.From(name, flow), EnvoyApiJsonContext.Default.FlowJson)
            : throw new EnvoyNotFoundException(EnvoyProblemCodes.FlowNotFound, $"No flow is registered as '{name}'.");
}
