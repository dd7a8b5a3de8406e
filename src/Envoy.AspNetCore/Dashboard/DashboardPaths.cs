using Microsoft.AspNetCore.Http;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>Where the dashboard lives (endpoint metadata on every dashboard route): the prefix given to <c>MapEnvoy</c>.</summary>
/// <param name="Prefix">The prefix, e.g. <c>/envoy</c>, without a trailing slash.</param>
internal sealed record DashboardPaths(string Prefix)
{
    /// <summary>The dashboard's root as the browser sees it (with the app's path base), ending in <c>/</c>.</summary>
    public string Root(HttpContext http) => http.Request.PathBase + Prefix + "/";

    /// <summary>The sign-in page.</summary>
    public string SignIn(HttpContext http) => Root(http) + "signin";

    /// <summary>Whether <paramref name="url"/> is a page of this dashboard (a safe place to go back to after signing in).</summary>
    public bool IsLocalPage(HttpContext http, string? url) =>
        !string.IsNullOrEmpty(url)
        && url.StartsWith(Root(http), StringComparison.Ordinal)
        && !url.StartsWith("//", StringComparison.Ordinal)
        && !url.Contains('\\', StringComparison.Ordinal);
}
