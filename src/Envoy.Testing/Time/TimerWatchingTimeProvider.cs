using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Envoy.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer as it is created, so a test can wait for the delay or timeout
/// it expects and advance exactly past it: no real waiting, and no sleeps as synchronisation.
/// </summary>
public sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _history = [];

    /// <summary>Starts the clock at a fixed instant (2025-01-01 00:00 UTC).</summary>
    public TimerWatchingTimeProvider()
        : base(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>The due times of every timer armed so far (created or changed; infinite ones excluded), in order.</summary>
    public IReadOnlyList<TimeSpan> CreatedTimers
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Report(dueTime);
        return timer;
    }

    /// <summary>Waits (in real time, at most <paramref name="timeout"/>) for the next timer armed with a matching due time, and returns its due time.</summary>
    /// <exception cref="TimeoutException">No such timer was created in time.</exception>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool>? match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var due = await _created.Reader.ReadAsync(limit.Token).ConfigureAwait(false);
                if (match is null || match(due))
                {
                    return due;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No matching timer was created within {timeout}.");
        }
    }

    /// <summary>Waits for the next matching timer, then advances the clock by its due time (firing it); returns the due time.</summary>
    public async Task<TimeSpan> AdvanceToNextTimerAsync(Func<TimeSpan, bool>? match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var due = await WaitForTimerAsync(match, timeout, cancellationToken).ConfigureAwait(false);
        Advance(due);
        return due;
    }

    /// <summary>Records a timer armed with <paramref name="dueTime"/> (created, or changed as <see cref="CancellationTokenSource"/> does).</summary>
    private void Report(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        lock (_gate)
        {
            _history.Add(dueTime);
        }

        _created.Writer.TryWrite(dueTime);
    }

    private sealed class WatchedTimer(ITimer inner, TimerWatchingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (changed)
            {
                owner.Report(dueTime);
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
