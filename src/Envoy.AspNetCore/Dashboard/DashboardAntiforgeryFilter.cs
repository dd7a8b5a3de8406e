using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// Refuses a dashboard form post without a valid antiforgery token (a form from another site, or an expired page) with
/// <c>400</c> and a short explanation, before the handler runs. Every dashboard POST route has it.
/// </summary>
internal sealed class DashboardAntiforgeryFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return Results.Text(
                "This form was refused: it did not come from this dashboard's own page (or the page is too old). Reload the page and try again.",
                "text/plain; charset=utf-8",
                statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context).ConfigureAwait(false);
    }
}
