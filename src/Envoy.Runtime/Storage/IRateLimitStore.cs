namespace Envoy.Runtime.Storage;

/// <summary>
/// The store's port for limits shared by every process on the store (issue 18): an exact sliding-window log per scope (the
/// step starts of a flow with a <c>RateLimit</c>, the tokens of a model) and a pause per scope (a provider's <c>Retry-After</c>).
/// A scope is an opaque string built by the runtime (<c>RateLimitScope</c>). Calls on one scope are serialized across every
/// process (SQLite: the write transaction; PostgreSQL: the scope's row locked <c>FOR UPDATE</c> before its usage is read), so
/// concurrent callers never grant more than the permits. All times are Unix milliseconds, the caller's clock.
/// </summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Takes <paramref name="weight"/> of <paramref name="scope"/>'s <paramref name="permits"/> per window when the usage recorded
    /// in (<paramref name="nowMs"/> − <paramref name="windowMs"/>, …] leaves room for it (used + weight ≤ permits: an exact sliding
    /// window, so no window of that length ever holds more, at its edges included), recording the weight at
    /// <paramref name="nowMs"/>; otherwise records nothing and says when, at the earliest, the same request could be granted (when
    /// enough of the recorded usage has left the window). Usage that has left the window is deleted on the way. Usage recorded
    /// after <paramref name="nowMs"/> counts too: the runtime records a block of step permits at the end of its horizon, ahead
    /// of its clock, and other callers may ask with an earlier time (conformance: future-dated usage).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Permits or window not positive, or weight not in 1..permits.</exception>
    Task<RateLimitAcquisition> TryAcquireRateAsync(string scope, int permits, long windowMs, int weight, long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="weight"/> of usage of <paramref name="scope"/> at <paramref name="nowMs"/> without a check (the
    /// tokens a model call used, known once it answered), kept for <paramref name="windowMs"/>.
    /// </summary>
    Task RecordRateUsageAsync(string scope, int weight, long windowMs, long nowMs, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses <paramref name="scope"/> until <paramref name="untilMs"/>, or keeps its current pause when that ends later (the
    /// later of both wins, whichever process wrote first).
    /// </summary>
    /// <returns>The scope's pause end after this call.</returns>
    Task<long> PauseRateScopeAsync(string scope, long untilMs, CancellationToken cancellationToken = default);

    /// <summary>The end of <paramref name="scope"/>'s pause (possibly past), or null when it was never paused.</summary>
    Task<long?> RateScopePausedUntilAsync(string scope, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the usage that left its window before <paramref name="nowMs"/>, and the scopes with no usage left whose pause
    /// ended (idle scopes: a key seen once); run by the maintenance leader. Returns how many rows went.
    /// </summary>
    Task<int> PurgeRateLimitsAsync(long nowMs, CancellationToken cancellationToken = default);
}
