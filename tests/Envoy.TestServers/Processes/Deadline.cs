namespace Envoy.TestServers.Processes;

/// <summary>
/// A point in time by which a wait must succeed, and the short pause between two readiness probes. Waits here are
/// polls of an observable condition (a pid file says "ready", a PING answers), never sleeps standing in for one.
/// </summary>
internal readonly struct Deadline
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(20);
    private readonly long start;

    private Deadline(TimeSpan timeout)
    {
        start = TimeProvider.System.GetTimestamp();
        Timeout = timeout;
    }

    /// <summary>The total time allowed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Whether the time is up.</summary>
    public bool HasPassed => TimeProvider.System.GetElapsedTime(start) >= Timeout;

    /// <summary>The time left, never negative.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Timeout - TimeProvider.System.GetElapsedTime(start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>A deadline <paramref name="timeout"/> from now.</summary>
    public static Deadline After(TimeSpan timeout) => new(timeout);

    /// <summary>Waits one probe interval before the next probe.</summary>
    public static Task PauseBeforeNextProbeAsync(CancellationToken cancellationToken) =>
        Task.Delay(ProbeInterval, TimeProvider.System, cancellationToken);
}
