namespace Envoy.Runtime.Coordination;

/// <summary>What a signal says.</summary>
public enum JobSignalKind
{
    /// <summary>Some job became ready to run.</summary>
    Ready,

    /// <summary>The job <see cref="JobSignal.JobId"/> reached a terminal status.</summary>
    Finished,

    /// <summary>Something changed elsewhere (another process): look again.</summary>
    Changed,
}

/// <summary>A wake-up between schedulers.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="JobId">The job for <see cref="JobSignalKind.Finished"/>.</param>
public readonly record struct JobSignal(JobSignalKind Kind, string? JobId = null);

/// <summary>
/// The coordination port: wake-ups between the schedulers that share a store (in-process, through the database, or Redis).
/// Signals are hints that make waiting fast; correctness never depends on one arriving.
/// </summary>
public interface IJobSignals
{
    /// <summary>Tells every subscriber, here and in other processes where the implementation can reach them.</summary>
    void Publish(JobSignal signal);

    /// <summary>
    /// Tells every subscriber the signals of one transaction, in order; an implementation that reaches other processes may
    /// send them together. By default each is published alone.
    /// </summary>
    void Publish(IReadOnlyList<JobSignal> signals)
    {
        ArgumentNullException.ThrowIfNull(signals);
        foreach (var signal in signals)
        {
            Publish(signal);
        }
    }

    /// <summary>Calls <paramref name="handler"/> for each signal until the returned handle is disposed. Handlers must be quick.</summary>
    IDisposable Subscribe(Action<JobSignal> handler);
}
