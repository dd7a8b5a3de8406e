using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Envoy;

/// <summary>
/// The hosted worker: a thin shell that starts the scheduler with the host and stops it (gracefully, within the host's shutdown
/// timeout). With <see cref="EnvoyWorkerOptions.RunWorkers"/> false it only opens the store, so the node runs no job.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class EnvoyWorker(Scheduler scheduler, IOptions<EnvoyWorkerOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.RunWorkers ? scheduler.StartAsync(cancellationToken) : scheduler.Store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => scheduler.StopAsync(cancellationToken);
}
