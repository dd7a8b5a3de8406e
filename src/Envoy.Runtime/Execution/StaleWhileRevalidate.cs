using System.Runtime.ExceptionServices;

namespace Envoy.Runtime.Execution;

/// <summary>
/// A value that is costly to read (the job counts of a large store), served stale while one refresh runs in the background:
/// a caller gets the last value at once; when it is older than the refresh age, the call also starts a refresh, at most one at
/// a time however many callers come. Only the very first callers (nothing read yet) wait, all for the same read. The refresh
/// age grows with the read's own cost (<see cref="CostFactor"/> times the last read's duration, at least the minimum age), so
/// a read that takes 200 ms runs at most about once a second however often it is asked for. A failed refresh keeps the last
/// value (the next call past the age tries again); with no value yet, its callers get the error.
/// </summary>
/// <typeparam name="T">The value.</typeparam>
internal sealed class StaleWhileRevalidate<T>(Func<CancellationToken, Task<T>> read, TimeProvider time, TimeSpan minAge)
    where T : class
{
    /// <summary>The refresh age is at least this many times the last read's duration.</summary>
    public const int CostFactor = 5;

    private readonly Lock _gate = new();
    private Snapshot? _last;
    private Task<Snapshot>? _refresh;

    /// <summary>How many reads have started (for tests and diagnostics).</summary>
    public int Reads { get; private set; }

    /// <summary>
    /// The last value and when it was read; starts a refresh in the background when it is older than the refresh age. Waits
    /// (until <paramref name="cancellationToken"/>) only when nothing was read yet.
    /// </summary>
    public async Task<(T Value, DateTimeOffset ReadAt)> GetAsync(CancellationToken cancellationToken = default)
    {
        Task<Snapshot> pending;
        lock (_gate)
        {
            var last = _last;
            if (last is not null)
            {
                var age = time.GetUtcNow() - last.ReadAt;
                if (age >= RefreshAge(last) && _refresh is null)
                {
                    _refresh = RefreshAsync();
                }

                return (last.Value!, last.ReadAt);
            }

            pending = _refresh ??= RefreshAsync();
        }

        var snapshot = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot.Error is { } error)
        {
            error.Throw();
        }

        return (snapshot.Value!, snapshot.ReadAt);
    }

    private TimeSpan RefreshAge(Snapshot last)
    {
        var byCost = last.Duration * CostFactor;
        return byCost > minAge ? byCost : minAge;
    }

    /// <summary>One read, never faulted: its error travels in the snapshot. It runs on the thread pool, not in the caller's call.</summary>
    private async Task<Snapshot> RefreshAsync()
    {
        Reads++;
        await Task.Yield();
        var started = time.GetTimestamp();
        Snapshot snapshot;
        try
        {
            // The read belongs to every caller, not to the one that started it: no caller's token cancels it.
            var value = await read(CancellationToken.None).ConfigureAwait(false);
            snapshot = new Snapshot(value, time.GetUtcNow(), time.GetElapsedTime(started), null);
        }
#pragma warning disable CA1031 // Any failure of the read is handed to the callers that wait for it, or dropped for a stale one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            snapshot = new Snapshot(null, time.GetUtcNow(), TimeSpan.Zero, ExceptionDispatchInfo.Capture(ex));
        }

        lock (_gate)
        {
            if (snapshot.Error is null)
            {
                _last = snapshot;
            }

            _refresh = null;
        }

        return snapshot;
    }

    private sealed record Snapshot(T? Value, DateTimeOffset ReadAt, TimeSpan Duration, ExceptionDispatchInfo? Error);
}
