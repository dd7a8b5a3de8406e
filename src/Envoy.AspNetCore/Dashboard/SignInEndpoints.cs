using Envoy.AspNetCore.Dashboard.Pages;
using Envoy.AspNetCore.Dashboard.Security;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Dashboard;

/// <summary><c>{prefix}/signin</c> (the form, and signing in with an API key) and <c>{prefix}/signout</c>.</summary>
internal static class SignInEndpoints
{
    public static void Map(RouteGroupBuilder dashboard)
    {
        dashboard.MapGet("/signin", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) => Form(http, antiforgery, returnUrl, null))
            .AllowAnonymous();
        dashboard.MapPost("/signin", SignInAsync).AllowAnonymous().AddEndpointFilter<DashboardAntiforgeryFilter>();
        dashboard.MapPost("/signout", new Func<HttpContext, Task<IResult>>(SignOutAsync))
            .RequireAuthorization(EnvoyAuthentication.DashboardPolicy) // the token was issued to the signed-in user
            .AddEndpointFilter<DashboardAntiforgeryFilter>();
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IAntiforgery antiforgery, IOptionsMonitor<EnvoyServerOptions> options)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var returnUrl = form["returnUrl"].ToString();
        var key = ApiKeyAuthenticationHandler.FindKey(options.CurrentValue, form["key"].ToString().Trim());
        if (key is null || !EnvoyRoles.TryParse(key.Role, out var role))
        {
            // The form again, with the reason (a page, so 200: the browser shows it as any page).
            return Form(http, antiforgery, returnUrl, "That key is not one of this server's API keys.");
        }

        await http.SignInAsync(DashboardAuthentication.CookieScheme, DashboardAuthentication.PrincipalOf(key, role)).ConfigureAwait(false);
        var paths = Paths(http);
        return Results.Redirect(paths.IsLocalPage(http, returnUrl) ? returnUrl : paths.Root(http));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(DashboardAuthentication.CookieScheme).ConfigureAwait(false);
        return Results.Redirect(Paths(http).SignIn(http));
    }

    private static RazorComponentResult<SignInPage> Form(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        // A new session gets a new antiforgery token: the sign-in form's token is for nobody yet.
        http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
        var tokens = antiforgery.GetAndStoreTokens(http);
        var paths = Paths(http);
        return DashboardPage.Render<SignInPage>(
            new Dictionary<string, object?>
            {
                [nameof(SignInPage.Root)] = paths.Root(http),
                [nameof(SignInPage.ReturnUrl)] = paths.IsLocalPage(http, returnUrl) ? returnUrl : null,
                [nameof(SignInPage.Error)] = error,
                [nameof(SignInPage.AntiforgeryFieldName)] = tokens.FormFieldName,
                [nameof(SignInPage.AntiforgeryToken)] = tokens.RequestToken,
            });
    }

    private static DashboardPaths Paths(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<DashboardPaths>() ?? throw new InvalidOperationException("Not a dashboard route.");
}
