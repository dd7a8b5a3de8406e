using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Execution;

/// <summary>
/// Keeps this started scheduler's row in the store's registry of live workers (<see cref="IWorkerRegistryStore"/>): written
/// when it starts (before <c>StartAsync</c> returns), renewed every third of <see cref="SchedulerOptions.LeaseDuration"/> (the
/// lease keeper's cadence) to last one lease duration, with the (flow, version) pairs registered at that moment, and removed
/// on a clean stop. A process that dies drops out when its last renewal expires, as its jobs' leases do.
/// </summary>
internal sealed class WorkerHeartbeat : IAsyncDisposable
{
    private readonly RuntimeServices _services;
    private readonly long _startedAtMs;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private WorkerHeartbeat(RuntimeServices services)
    {
        _services = services;
        _startedAtMs = services.NowMs;
    }

    /// <summary>Registers the worker (its first heartbeat, awaited) and starts renewing it.</summary>
    public static async Task<WorkerHeartbeat> StartAsync(RuntimeServices services, CancellationToken cancellationToken)
    {
        var heartbeat = new WorkerHeartbeat(services);
        try
        {
            await heartbeat.BeatAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The worker runs without its row for now; the next beat tries again.
            RuntimeLog.WorkerHeartbeatFailed(services.Logger, services.WorkerId, ex);
        }

        heartbeat._loop = Task.Run(() => heartbeat.RunAsync(heartbeat._stop.Token), CancellationToken.None);
        return heartbeat;
    }

    /// <summary>Stops renewing and removes the worker's row (a courtesy, bounded by 5 s: a row left behind expires by itself).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        try
        {
            using var remove = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _services.Store.RemoveWorkerAsync(_services.WorkerId, remove.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Removing is a courtesy: the row expires by itself.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            RuntimeLog.WorkerRemoveFailed(_services.Logger, _services.WorkerId, ex);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var interval = (long)(_services.Config.LeaseDuration / 3).TotalMilliseconds;
        var due = _startedAtMs + interval; // on a schedule from the start: a loop that arms its wait late beats at once
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var wait = due - _services.NowMs;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), _services.Time, stop).ConfigureAwait(false);
                }

                due = Math.Max(due + interval, _services.NowMs);
                await BeatAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The heartbeat must survive store hiccups; it logs and tries again next interval.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.WorkerHeartbeatFailed(_services.Logger, _services.WorkerId, ex);
            }
        }
    }

    private Task BeatAsync(CancellationToken cancellationToken)
    {
        var now = _services.NowMs;
        return _services.Store.SaveWorkerAsync(
            new WorkerRow
            {
                Id = _services.WorkerId,
                Host = Environment.MachineName,
                ProcessId = Environment.ProcessId,
                StartedAtMs = _startedAtMs,
                LastSeenAtMs = now,
                UntilMs = now + (long)_services.Config.LeaseDuration.TotalMilliseconds,
                Flows = [.. _services.Flows.Pairs],
            },
            cancellationToken);
    }
}
