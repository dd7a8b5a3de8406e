using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Envoy.AspNetCore.Health;

/// <summary>Healthy when the store answers a cheap probe within <see cref="EnvoyServerOptions.HealthCheckTimeout"/>.</summary>
internal sealed class StoreHealthCheck(Scheduler scheduler, IOptionsMonitor<EnvoyServerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var result = await scheduler.CheckStoreHealthAsync(options.CurrentValue.HealthCheckTimeout, cancellationToken).ConfigureAwait(false);
        return result.IsHealthy ? HealthCheckResult.Healthy(scheduler.Store.Description) : HealthCheckResult.Unhealthy(result.Error);
    }
}
