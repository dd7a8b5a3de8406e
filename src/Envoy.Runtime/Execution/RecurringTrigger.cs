namespace Envoy.Runtime.Execution;

/// <summary>
/// Fires recurring schedules while the scheduler is started: a pass of <see cref="RecurringFiring"/> at each next occurrence
/// (a <see cref="TimeProvider"/> timer, so within moments of it), and at least every
/// <see cref="SchedulerOptions.MaintenanceInterval"/> to see schedules other processes added. Every started scheduler runs one:
/// the occurrence's idempotency key makes one job of it however many fire it, and a process that stops does not stop the
/// schedule. <see cref="Wake"/> runs a pass at once (a schedule added or changed here).
/// </summary>
internal sealed class RecurringTrigger : IAsyncDisposable
{
    private readonly RuntimeServices _services;
    private readonly RecurringFiring _firing;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private CancellationTokenSource? _waiting;
    private int _woken;

    public RecurringTrigger(RuntimeServices services, RecurringFiring firing)
    {
        _services = services;
        _firing = firing;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Runs a pass now (or right after the one running).</summary>
    public void Wake()
    {
        Volatile.Write(ref _woken, 1);
        try
        {
            Volatile.Read(ref _waiting)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The wait it would end has ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var refresh = _services.Config.MaintenanceInterval;
        while (!stop.IsCancellationRequested)
        {
            Volatile.Write(ref _woken, 0);
            var delay = refresh;
            try
            {
                var (_, nextDue) = await _firing.RunAsync(stop).ConfigureAwait(false);
                if (nextDue is { } due)
                {
                    var until = TimeSpan.FromMilliseconds(Math.Max(1, due - _services.NowMs));
                    delay = until < refresh ? until : refresh;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The trigger must survive store hiccups; it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RuntimeLog.RecurringPassFailed(_services.Logger, ex);
            }

            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stop);
            Volatile.Write(ref _waiting, waiting);
            try
            {
                if (Volatile.Read(ref _woken) == 0)
                {
                    await Task.Delay(delay, _services.Time, waiting.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // Woken: a pass now.
            }
            catch (OperationCanceledException)
            {
                break;
            }
            finally
            {
                Volatile.Write(ref _waiting, null);
            }
        }
    }
}
