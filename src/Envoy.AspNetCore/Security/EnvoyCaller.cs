using System.Security.Claims;
using Envoy.AspNetCore.Errors;

namespace Envoy.AspNetCore.Security;

/// <summary>Who calls, read from the authenticated principal: the user name and Envoy role.</summary>
public static class EnvoyCaller
{
    /// <summary>The caller's user (an API key's <see cref="EnvoyApiKey.User"/>, or <c>local</c>).</summary>
    public static string EnvoyUser(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.Identity?.Name ?? string.Empty;
    }

    /// <summary>The caller's Envoy role, or an empty string.</summary>
    public static string EnvoyRole(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.FindFirstValue(ClaimTypes.Role) ?? string.Empty;
    }

    /// <summary>Whether the caller's role includes <paramref name="role"/>.</summary>
    public static bool HasEnvoyRole(this ClaimsPrincipal principal, string role) => EnvoyRoles.Includes(principal.EnvoyRole(), role);

    /// <summary>
    /// Refuses the request (<c>403</c> <c>forbidden</c>) unless the caller's role includes <paramref name="role"/>. Routes on a
    /// resource id call it after they found the resource: an unknown id is <c>404</c> before any role check.
    /// </summary>
    /// <exception cref="EnvoyForbiddenException">The caller's role is weaker.</exception>
    public static void DemandEnvoyRole(this ClaimsPrincipal principal, string role)
    {
        if (!principal.HasEnvoyRole(role))
        {
            throw new EnvoyForbiddenException($"User '{principal.EnvoyUser()}' ({Describe(principal.EnvoyRole())}) may not do this: it needs the role '{role}'.");
        }
    }

    private static string Describe(string role) => role.Length == 0 ? "no role" : "role " + role;
}
