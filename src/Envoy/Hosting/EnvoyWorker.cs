using Microsoft.Extensions.Hosting;

namespace Envoy;

/// <summary>The hosted worker: a thin shell that starts the scheduler with the host and stops it (gracefully, within the host's shutdown timeout).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class EnvoyWorker(Scheduler scheduler) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => scheduler.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => scheduler.StopAsync(cancellationToken);
}
