namespace Envoy;

/// <summary>
/// Limits shared by every process that runs jobs on one store (issue 18): sliding-window rate limits and pauses per scope, for
/// the model calls of an agent (a provider's <c>429</c> with <c>Retry-After</c> pauses every worker's calls to that model; a cap
/// of tokens per minute per model). The scheduler sets one on the context while a step of a job runs
/// (<see cref="StateContext.SharedLimits"/>); in an in-process run there is none and agents call their model as they come.
/// </summary>
public interface ISharedLimits
{
    /// <summary>The clock the limits are counted on (wait on it for a retry time).</summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Takes <paramref name="weight"/> of <paramref name="scope"/>'s <paramref name="permits"/> per <paramref name="window"/>
    /// (an exact sliding window over every process): null when taken, else the earliest time the same request could be.
    /// </summary>
    ValueTask<DateTimeOffset?> TryAcquireAsync(string scope, int permits, TimeSpan window, int weight, CancellationToken cancellationToken = default);

    /// <summary>Records <paramref name="weight"/> of usage of <paramref name="scope"/> now, counted for <paramref name="window"/>.</summary>
    ValueTask RecordAsync(string scope, int weight, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>Pauses <paramref name="scope"/> until <paramref name="until"/> (or later, if it already was); returns the pause end.</summary>
    ValueTask<DateTimeOffset> PauseAsync(string scope, DateTimeOffset until, CancellationToken cancellationToken = default);

    /// <summary>The end of <paramref name="scope"/>'s pause (possibly past), or null when it was never paused.</summary>
    ValueTask<DateTimeOffset?> PausedUntilAsync(string scope, CancellationToken cancellationToken = default);
}
