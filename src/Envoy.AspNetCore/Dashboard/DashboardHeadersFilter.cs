using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>
/// The security headers of every dashboard page: a Content-Security-Policy that runs only the app's own scripts (no inline
/// script, no eval, nothing from elsewhere; inline styles are allowed for the graphs Mermaid draws), no framing, no sniffing,
/// no caching of pages that show jobs.
/// </summary>
internal sealed class DashboardHeadersFilter : IEndpointFilter
{
    /// <summary>The dashboard's Content-Security-Policy.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        // What the antiforgery tokens of the page set anyway: set first, it spares a warning in the log on every page view.
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        return next(context);
    }
}
