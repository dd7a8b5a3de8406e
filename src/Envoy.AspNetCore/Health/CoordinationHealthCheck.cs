using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Health;

/// <summary>Healthy when the coordination server (Redis) answers a ping within <see cref="EnvoyServerOptions.HealthCheckTimeout"/>.</summary>
internal sealed class CoordinationHealthCheck(Scheduler scheduler, IOptionsMonitor<EnvoyServerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await scheduler.CheckCoordinationHealthAsync(options.CurrentValue.HealthCheckTimeout, cancellationToken).ConfigureAwait(false);
        return result switch
        {
            null => HealthCheckResult.Healthy("No coordination server is configured."),
            { IsHealthy: true } => HealthCheckResult.Healthy(),
            _ => HealthCheckResult.Unhealthy(result.Error),
        };
    }
}
