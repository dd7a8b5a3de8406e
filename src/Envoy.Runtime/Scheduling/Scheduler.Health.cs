using System.Globalization;
using Envoy.Runtime.Coordination;
using Envoy.Runtime.Storage;

namespace Envoy;

public partial class Scheduler
{
    /// <summary>Whether the store has a coordination server next to it (Redis), which <see cref="CheckCoordinationHealthAsync"/> probes.</summary>
    public bool HasCoordination => (_services.Store as IStoreHealthProbe)?.Coordination is not null;

    /// <summary>
    /// Probes the store once (a cheap round trip, no retry: <see cref="IStoreHealthProbe"/>; a store without it answers a small
    /// read) and says whether it answered within <paramref name="timeout"/>. It never takes much longer than the timeout, even
    /// when the store ignores cancellation. Never throws for the store's failures.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public Task<HealthProbeResult> CheckStoreHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var store = _services.Store;
        return ProbeAsync(
            "The store",
            timeout,
            token => store is IStoreHealthProbe probe ? probe.ProbeAsync(token) : store.NextDueAtAsync(_services.NowMs, token),
            cancellationToken);
    }

    /// <summary>
    /// Probes the coordination server next to the store (a Redis ping) like <see cref="CheckStoreHealthAsync"/>; null when
    /// there is none (<see cref="HasCoordination"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<HealthProbeResult?> CheckCoordinationHealthAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if ((_services.Store as IStoreHealthProbe)?.Coordination is not ICoordinationProbe coordination)
        {
            return null;
        }

        return await ProbeAsync(coordination.Kind, timeout, coordination.PingAsync, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HealthProbeResult> ProbeAsync(string what, TimeSpan timeout, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var started = _services.Time.GetTimestamp();
        // CancelAfter on the linked source itself, not a linked timer source: a driver may cancel synchronously inside the
        // token's callback (Npgsql sends a cancel request to a server that may be frozen), and disposing a source linked to a
        // token whose callback is still running would wait for that callback.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            // Task.Run: a probe that blocks before its first await cannot hold the caller. WaitAsync bounds the wait even for a
            // probe that ignores its token (a hung socket).
            await Task.Run(() => probe(deadline.Token), CancellationToken.None).WaitAsync(timeout, _services.Time, cancellationToken).ConfigureAwait(false);
            return new HealthProbeResult(true, _services.Time.GetElapsedTime(started), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var error = ex is TimeoutException or OperationCanceledException
                ? string.Create(CultureInfo.InvariantCulture, $"{what} did not answer within {timeout.TotalSeconds:0.###} s.")
                : $"{what} did not answer: {ex.Message}";
            return new HealthProbeResult(false, _services.Time.GetElapsedTime(started), error);
        }
    }
}
