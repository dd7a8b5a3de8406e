using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Envoy.AspNetCore.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> against <see cref="EnvoyServerOptions.ApiKeys"/> (constant-time
/// comparison), giving the key's user as the name and its role as the role claim; anonymous loopback requests act as the admin
/// <c>local</c> when <see cref="EnvoyServerOptions.AllowAnonymousLoopback"/> is on. Challenges and refusals answer with problem
/// details (<c>unauthorized</c>, <c>forbidden</c>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<EnvoyServerOptions> serverOptions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var options = serverOptions.CurrentValue;
        string header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(IsAnonymousLoopback(options)
                ? Success(EnvoyAuthentication.LoopbackUser, EnvoyRoles.Admin)
                : AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var key = FindKey(options, header[BearerPrefix.Length..].Trim());
        return Task.FromResult(key is not null && EnvoyRoles.TryParse(key.Role, out var role)
            ? Success(key.User, role)
            : AuthenticateResult.Fail("The API key is not valid."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(EnvoyProblem.Unauthorized(
            Request.Headers.Authorization.Count == 0
                ? "This request needs a caller: send 'Authorization: Bearer <key>' with one of the server's API keys."
                : "The API key is not valid."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(EnvoyProblem.Forbidden($"User '{Context.User.Identity?.Name}' may not do this."));

    /// <summary>Finds the key; every configured key is compared in full, so the time taken does not tell which key was close.</summary>
    internal static EnvoyApiKey? FindKey(EnvoyServerOptions options, string presented)
    {
        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        EnvoyApiKey? found = null;
        foreach (var key in options.ApiKeys)
        {
            if (!string.IsNullOrEmpty(key.Key) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key.Key), presentedBytes))
            {
                found = key;
            }
        }

        return found;
    }

    private bool IsAnonymousLoopback(EnvoyServerOptions options) =>
        options.AllowAnonymousLoopback && Context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address);

    private AuthenticateResult Success(string user, string role)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, role)],
            Scheme.Name,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private Task WriteProblemAsync(EnvoyProblem problem) => problem.ToResult().ExecuteAsync(Context);
}
