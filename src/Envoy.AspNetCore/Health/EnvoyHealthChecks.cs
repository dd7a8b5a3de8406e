using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Health;

/// <summary>
/// Envoy's health checks, registered by <c>AddEnvoyServer</c> next to any of the host app's own: <c>store</c> always, and
/// <c>redis</c> when the store has a coordination server. Each is bounded by <see cref="EnvoyServerOptions.HealthCheckTimeout"/>.
/// </summary>
public static class EnvoyHealthChecks
{
    /// <summary>The tag of Envoy's checks; <c>/envoy/healthz</c> runs only these.</summary>
    public const string Tag = "envoy";

    /// <summary>The registration name of the store check (reported as <c>store</c>).</summary>
    public const string StoreCheckName = "envoy-store";

    /// <summary>The registration name of the Redis check (reported as <c>redis</c>).</summary>
    public const string RedisCheckName = "envoy-redis";

    /// <summary>The name a check is reported under in <c>/envoy/healthz</c> (<c>store</c>, <c>redis</c>).</summary>
    public static string ReportedName(string registrationName)
    {
        ArgumentNullException.ThrowIfNull(registrationName);
        return registrationName.StartsWith(Tag + "-", StringComparison.Ordinal) ? registrationName[(Tag.Length + 1)..] : registrationName;
    }

    /// <summary>Adds the checks; the Redis one only when the scheduler's store has a coordination server.</summary>
    internal static void Register(IServiceCollection services)
    {
        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            var timeout = provider.GetRequiredService<IOptions<EnvoyServerOptions>>().Value.HealthCheckTimeout;
            // The checks bound themselves by the timeout; the registration's own timeout is a backstop a little later.
            var backstop = timeout + TimeSpan.FromSeconds(1);
            options.Registrations.Add(new HealthCheckRegistration(
                StoreCheckName, p => ActivatorUtilities.CreateInstance<StoreHealthCheck>(p), HealthStatus.Unhealthy, [Tag], backstop));
            if (provider.GetRequiredService<Scheduler>().HasCoordination)
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    RedisCheckName, p => ActivatorUtilities.CreateInstance<CoordinationHealthCheck>(p), HealthStatus.Unhealthy, [Tag], backstop));
            }
        });
    }
}
