namespace Envoy;

/// <summary>Settings of the hosted worker that <c>services.AddEnvoy()</c> registers.</summary>
public sealed class EnvoyWorkerOptions
{
    /// <summary>
    /// True (default): the host starts this process's workers, which run jobs. False: an API-only node: the host opens and
    /// migrates the store at start but runs no job (the scheduler is not started); scheduling, queries, cancellations and
    /// replies still work, and workers in other processes on the same store run the jobs. <c>AddEnvoyServer</c> sets it from
    /// <c>Envoy:Server:RunWorkers</c>.
    /// </summary>
    public bool RunWorkers { get; set; } = true;
}
