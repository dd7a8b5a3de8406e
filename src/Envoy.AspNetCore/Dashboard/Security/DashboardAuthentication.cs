using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Dashboard.Security;

/// <summary>
/// How the dashboard knows its user: a sign-in form takes an API key and gives an HttpOnly, SameSite=Strict session cookie
/// (Secure over HTTPS) holding the key's user and role and a fingerprint of the key, checked against the configured keys on
/// every request (a key removed from the configuration ends its sessions). The API reads that cookie on GET only (the dashboard's
/// live updates); everything that changes a job goes through the dashboard's own forms, which carry antiforgery tokens.
/// </summary>
internal static class DashboardAuthentication
{
    /// <summary>The session cookie's scheme.</summary>
    public const string CookieScheme = "EnvoyCookie";

    /// <summary>The dashboard pages' scheme: the session cookie, else an API key or anonymous loopback; challenges go to the sign-in page.</summary>
    public const string DashboardScheme = "EnvoyDashboard";

    /// <summary>The API's scheme: an API key (or anonymous loopback), or the session cookie on GET and HEAD.</summary>
    public const string ApiScheme = "EnvoyApi";

    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "envoy.session";

    /// <summary>The claim holding the fingerprint of the key the session was opened with.</summary>
    public const string KeyClaim = "envoy:key";

    public static void Register(AuthenticationBuilder authentication)
    {
        authentication.AddCookie(CookieScheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.IsEssential = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = ValidateAsync,
                OnRedirectToLogin = context => RedirectToSignInAsync(context.HttpContext),
                OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                },
            };
        });
        authentication.AddPolicyScheme(DashboardScheme, "Envoy dashboard", options =>
        {
            options.ForwardDefaultSelector = context =>
                context.Request.Cookies.ContainsKey(CookieName) && context.Request.Headers.Authorization.Count == 0
                    ? CookieScheme
                    : EnvoyAuthentication.ApiKeyScheme;
            options.ForwardChallenge = CookieScheme;
            options.ForwardForbid = CookieScheme;
        });
        authentication.AddPolicyScheme(ApiScheme, "Envoy API", options =>
        {
            options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0
                && context.Request.Cookies.ContainsKey(CookieName)
                && (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                    ? CookieScheme
                    : EnvoyAuthentication.ApiKeyScheme;
            options.ForwardChallenge = EnvoyAuthentication.ApiKeyScheme;
            options.ForwardForbid = EnvoyAuthentication.ApiKeyScheme;
        });
    }

    /// <summary>The principal of a session opened with <paramref name="key"/>.</summary>
    public static ClaimsPrincipal PrincipalOf(EnvoyApiKey key, string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, key.User), new Claim(ClaimTypes.Role, role), new Claim(KeyClaim, Fingerprint(key.Key))],
        CookieScheme,
        ClaimTypes.Name,
        ClaimTypes.Role));

    /// <summary>A one-way fingerprint of a key (the cookie never holds the key itself).</summary>
    public static string Fingerprint(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];

    private static Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<EnvoyServerOptions>>().CurrentValue;
        var principal = context.Principal;
        var fingerprint = principal?.FindFirstValue(KeyClaim);
        var stillValid = fingerprint is not null && options.ApiKeys.Any(key =>
            !string.IsNullOrEmpty(key.Key)
            && string.Equals(Fingerprint(key.Key), fingerprint, StringComparison.Ordinal)
            && string.Equals(key.User, principal!.EnvoyUser(), StringComparison.Ordinal)
            && EnvoyRoles.TryParse(key.Role, out var role) && string.Equals(role, principal!.EnvoyRole(), StringComparison.Ordinal));
        if (!stillValid)
        {
            context.RejectPrincipal();
        }

        return Task.CompletedTask;
    }

    private static Task RedirectToSignInAsync(HttpContext http)
    {
        var paths = http.GetEndpoint()?.Metadata.GetMetadata<DashboardPaths>();
        if (paths is null)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        var here = http.Request.PathBase + http.Request.Path + http.Request.QueryString;
        http.Response.Redirect(paths.SignIn(http) + "?returnUrl=" + Uri.EscapeDataString(here));
        return Task.CompletedTask;
    }
}
