using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>Draws a dashboard page (a Razor component rendered on the server) as the answer to a request.</summary>
internal static class DashboardPage
{
    /// <summary>The page <typeparamref name="TPage"/> with these parameters (every value is HTML-encoded as it is written).</summary>
    public static RazorComponentResult<TPage> Render<TPage>(IReadOnlyDictionary<string, object?> parameters, int status = StatusCodes.Status200OK)
        where TPage : IComponent =>
        new(parameters) { StatusCode = status, ContentType = "text/html; charset=utf-8" };
}
