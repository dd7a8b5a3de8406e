using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/stats</c> routes: counts and overview figures.</summary>
internal static class StatsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        _ = api.MapGroup("/stats").WithTags("Stats");
    }
}
