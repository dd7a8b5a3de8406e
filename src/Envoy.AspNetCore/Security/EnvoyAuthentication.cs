namespace Envoy.AspNetCore.Security;

/// <summary>The names Envoy registers with ASP.NET Core's authentication and authorization.</summary>
public static class EnvoyAuthentication
{
    /// <summary>The scheme that reads <c>Authorization: Bearer &lt;key&gt;</c> (and anonymous loopback, when allowed).</summary>
    public const string ApiKeyScheme = "EnvoyApiKey";

    /// <summary>The policy of every API route: a caller with any Envoy role.</summary>
    public const string ViewerPolicy = "envoy:viewer";

    /// <summary>The policy of the routes that change jobs: <c>operator</c> or <c>admin</c>.</summary>
    public const string OperatorPolicy = "envoy:operator";

    /// <summary>The policy of what only an <c>admin</c> may do.</summary>
    public const string AdminPolicy = "envoy:admin";

    /// <summary>The policy of every dashboard page: a signed-in user (session cookie, API key or anonymous loopback) with any Envoy role.</summary>
    public const string DashboardPolicy = "envoy:dashboard";

    /// <summary>The user of anonymous loopback requests (<see cref="EnvoyServerOptions.AllowAnonymousLoopback"/>).</summary>
    public const string LoopbackUser = "local";
}
