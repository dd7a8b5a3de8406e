using Envoy.AspNetCore.Dashboard.Security;
using Envoy.AspNetCore.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore;

/// <summary>Registers what Envoy's HTTP API and dashboard need: options, API-key authentication, role policies, problem details.</summary>
public static class EnvoyServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers Envoy's server side: <see cref="EnvoyServerOptions"/> bound from the configuration section <c>Envoy:Server</c>
    /// (when an <see cref="IConfiguration"/> is registered) and then <paramref name="configure"/>, validated at start with every
    /// error listed (<see cref="EnvoyServerOptions.RunWorkers"/> false makes the hosted worker run no job:
    /// <see cref="EnvoyWorkerOptions.RunWorkers"/>); the API-key authentication scheme; the <c>viewer</c>, <c>operator</c> and <c>admin</c> policies; problem
    /// details; the health checks of <c>/envoy/healthz</c> (the store, and Redis when configured); the OpenAPI document
    /// <c>envoy</c>. Call <c>services.AddEnvoy()</c> too (the scheduler and its flows). Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddEnvoyServer(this IServiceCollection services, Action<EnvoyServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EnvoyServerOptions>();
        options.Configure<IServiceProvider>((server, provider) =>
        {
            if (provider.GetService<IConfiguration>() is { } configuration)
            {
                configuration.GetSection(EnvoyServerOptions.SectionName).Bind(server);
            }
        });
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnvoyServerOptions>, EnvoyServerOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(EnvoyServerMarker)))
        {
            return services;
        }

        services.AddSingleton<EnvoyServerMarker>();

        // RunWorkers = false makes an API-only node: the hosted worker opens the store but runs no job.
        services.AddOptions<EnvoyWorkerOptions>().Configure<IOptions<EnvoyServerOptions>>((worker, server) =>
        {
            if (!server.Value.RunWorkers)
            {
                worker.RunWorkers = false;
            }
        });

        services.TryAddSingleton(TimeProvider.System);
        var authentication = services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(EnvoyAuthentication.ApiKeyScheme, null);
        DashboardAuthentication.Register(authentication);
        services.AddAuthorizationBuilder()
            .AddPolicy(EnvoyAuthentication.ViewerPolicy, RolePolicy(DashboardAuthentication.ApiScheme, EnvoyRoles.Viewer))
            .AddPolicy(EnvoyAuthentication.OperatorPolicy, RolePolicy(DashboardAuthentication.ApiScheme, EnvoyRoles.Operator))
            .AddPolicy(EnvoyAuthentication.AdminPolicy, RolePolicy(DashboardAuthentication.ApiScheme, EnvoyRoles.Admin))
            .AddPolicy(EnvoyAuthentication.DashboardPolicy, RolePolicy(DashboardAuthentication.DashboardScheme, EnvoyRoles.Viewer));
        services.AddProblemDetails();
        Dashboard.DashboardServices.Register(services);
        Health.EnvoyHealthChecks.Register(services);
        OpenApi.EnvoyOpenApi.Register(services);
        return services;
    }

    private static Action<Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder> RolePolicy(string scheme, string role) => policy => policy
        .AddAuthenticationSchemes(scheme)
        .RequireAuthenticatedUser()
        .RequireAssertion(context => context.User.HasEnvoyRole(role));

    /// <summary>Marks that the one-time registrations were made.</summary>
    private sealed class EnvoyServerMarker;
}
