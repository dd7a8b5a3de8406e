using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Envoy.AspNetCore.Endpoints;

/// <summary>The <c>/escalations</c> routes: list, read, reply.</summary>
internal static class EscalationsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        _ = api.MapGroup("/escalations").WithTags("Escalations");
    }
}
