using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Envoy.AspNetCore.Dashboard;

/// <summary>What the dashboard needs from the container: server-side rendering of Razor components, and antiforgery tokens.</summary>
internal static class DashboardServices
{
    /// <summary>The antiforgery cookie's name.</summary>
    public const string AntiforgeryCookieName = "envoy.antiforgery";

    /// <summary>The antiforgery form field's name.</summary>
    public const string AntiforgeryFieldName = "__envoy_antiforgery";

    public static void Register(IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddSingleton<Overview.DashboardThroughput>();
        services.AddSingleton<Overview.DashboardFailingFlows>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = AntiforgeryCookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = AntiforgeryFieldName;
        });
    }
}
