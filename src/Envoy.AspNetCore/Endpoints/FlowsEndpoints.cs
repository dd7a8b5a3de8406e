using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/flows</c> routes: name, start state, states, routes, Mermaid.</summary>
internal static class FlowsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        _ = api.MapGroup("/flows").WithTags("Flows");
    }
}
