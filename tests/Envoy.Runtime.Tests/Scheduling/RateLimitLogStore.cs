using Envoy.Runtime.Storage;

namespace Envoy.Runtime.Tests.Scheduling;

/// <summary>
/// An in-memory <see cref="IRateLimitStore"/> with the stores' arithmetic (<see cref="RateLimitAcquisition.Decide"/>, usage kept
/// until its window ends, future-dated usage counted): it logs every acquisition asked of it, and can be made to fail.
/// </summary>
internal sealed class RateLimitLogStore : IRateLimitStore
{
    private readonly Lock _lock = new();
    private readonly List<(string Scope, long AtMs, long UntilMs, int Weight)> _usage = [];
    private readonly List<(string Scope, int Weight, long WindowMs, long NowMs, bool Granted)> _requests = [];

    /// <summary>When set, every acquisition throws it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Runs during every acquisition (a slow store: it moves a fake clock).</summary>
    public Action? DuringCall { get; set; }

    /// <summary>Every acquisition asked, in order.</summary>
    public IReadOnlyList<(string Scope, int Weight, long WindowMs, long NowMs, bool Granted)> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public Task<RateLimitAcquisition> TryAcquireRateAsync(string scope, int permits, long windowMs, int weight, long nowMs, CancellationToken cancellationToken = default)
    {
        RateLimitAcquisition.ThrowIfInvalid(scope, permits, windowMs, weight);
        if (Failure is { } failure)
        {
            return Task.FromException<RateLimitAcquisition>(failure);
        }

        DuringCall?.Invoke();
        lock (_lock)
        {
            _usage.RemoveAll(u => u.Scope == scope && u.UntilMs <= nowMs);
            var usage = _usage.Where(u => u.Scope == scope && u.AtMs > nowMs - windowMs).OrderBy(u => u.AtMs).Select(u => (u.AtMs, u.Weight)).ToList();
            var decision = RateLimitAcquisition.Decide(usage, permits, windowMs, weight, nowMs);
            if (decision.Granted)
            {
                _usage.Add((scope, nowMs, nowMs + windowMs, weight));
            }

            _requests.Add((scope, weight, windowMs, nowMs, decision.Granted));
            return Task.FromResult(decision);
        }
    }

    public Task RecordRateUsageAsync(string scope, int weight, long windowMs, long nowMs, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _usage.Add((scope, nowMs, nowMs + windowMs, weight));
        }

        return Task.CompletedTask;
    }

    public Task<long> PauseRateScopeAsync(string scope, long untilMs, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<long?> RateScopePausedUntilAsync(string scope, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<int> PurgeRateLimitsAsync(long nowMs, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
