using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>What every dashboard page needs to draw itself: where the dashboard lives, who looks, and the form token.</summary>
/// <param name="Root">The dashboard's root as the browser sees it, ending in <c>/</c> (e.g. <c>/envoy/</c>).</param>
/// <param name="User">The signed-in user.</param>
/// <param name="Role">Their role (<see cref="EnvoyRoles"/>).</param>
/// <param name="SignedInWithCookie">Whether the user signed in through the form (then the page offers to sign out).</param>
/// <param name="AntiforgeryFieldName">The name of the hidden form field carrying the antiforgery token.</param>
/// <param name="AntiforgeryToken">The token every form posts back.</param>
public sealed record DashboardContext(
    string Root,
    string User,
    string Role,
    bool SignedInWithCookie,
    string AntiforgeryFieldName,
    string AntiforgeryToken)
{
    /// <summary>Whether the user may change jobs (schedule, cancel, fail, retry, resolve): an operator or an admin.</summary>
    public bool CanOperate => EnvoyRoles.Includes(Role, EnvoyRoles.Operator);

    /// <summary>Whether the user is an admin (answers anyone's escalation).</summary>
    public bool IsAdmin => EnvoyRoles.Includes(Role, EnvoyRoles.Admin);

    /// <summary>The browser address of a dashboard page, e.g. <c>Href("jobs/abc")</c> → <c>/envoy/jobs/abc</c>.</summary>
    public string Href(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        return Root + relative.TrimStart('/');
    }

    /// <summary>The browser address of the API route <paramref name="relative"/>, e.g. <c>ApiHref("events")</c> → <c>/envoy/api/events</c>.</summary>
    public string ApiHref(string relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        return Root + "api/" + relative.TrimStart('/');
    }

    /// <summary>The versioned address of a served file of the dashboard (cached by browsers until the file changes).</summary>
    public string Asset(string name) => Root + "assets/" + name + "?v=" + DashboardAssets.Version(name);

    /// <summary>The context of this request.</summary>
    internal static DashboardContext Of(HttpContext http)
    {
        var paths = http.GetEndpoint()?.Metadata.GetMetadata<DashboardPaths>()
            ?? throw new InvalidOperationException("Not a dashboard route.");
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(http);
        return new DashboardContext(
            paths.Root(http),
            http.User.EnvoyUser(),
            http.User.EnvoyRole(),
            string.Equals(http.User.Identity?.AuthenticationType, Security.DashboardAuthentication.CookieScheme, StringComparison.Ordinal),
            tokens.FormFieldName,
            tokens.RequestToken ?? string.Empty);
    }
}
